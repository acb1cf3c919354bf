"""Page URLs: staff pages under the "pages" namespace, the youth's own page under "portal"."""

from __future__ import annotations

from django.urls import include, path

from coordination.pages import (
    actions,
    caseload,
    dialogue,
    notifications,
    plans,
    portal,
    portal_notices,
    referrals,
    reports,
    staff,
    team,
    tokens,
    youth_plan,
)

staff_patterns = [
    path("day/", staff.day, name="day"),
    path("youths/", caseload.caseload_page, name="caseload"),
    path("youths/new/", caseload.youth_new, name="youth-new"),
    path("youths/<uuid:youth_id>/", staff.youth, name="youth"),
    path("youths/<uuid:youth_id>/log/", actions.entry_new, name="entry-new"),
    path("youths/<uuid:youth_id>/consents/new/", actions.consent_new, name="consent-new"),
    path(
        "youths/<uuid:youth_id>/consents/<uuid:consent_id>/withdraw/",
        actions.consent_withdraw,
        name="consent-withdraw",
    ),
    path("youths/<uuid:youth_id>/refer/", actions.refer, name="refer"),
    path("youths/<uuid:youth_id>/handover/", actions.handover, name="handover"),
    path(
        "youths/<uuid:youth_id>/activity-plan/", actions.activity_plan_new, name="activity-plan-new"
    ),
    path(
        "activity-plans/<uuid:plan_id>/approve/",
        actions.activity_plan_approve,
        name="activity-plan-approve",
    ),
    path(
        "activity-plans/<uuid:plan_id>/activities/new/", actions.activity_new, name="activity-new"
    ),
    path("activities/<uuid:activity_id>/edit/", actions.activity_edit, name="activity-edit"),
    path(
        "activity-change-requests/<uuid:request_id>/answer/",
        youth_plan.change_request_answer,
        name="activity-change-answer",
    ),
    path(
        "youths/<uuid:youth_id>/consent-requests/new/",
        youth_plan.consent_request_new,
        name="consent-request-new",
    ),
    path("threads/<uuid:thread_id>/", dialogue.thread_page, name="thread"),
    path("youths/<uuid:youth_id>/threads/new/", dialogue.thread_new, name="thread-new"),
    path("messages/<uuid:message_id>/correct/", dialogue.message_correct, name="message-correct"),
    path("referrals/", referrals.referral_list, name="referrals"),
    path("referrals/<uuid:referral_id>/", referrals.referral_detail, name="referral"),
    path("referrals/<uuid:referral_id>/accept/", referrals.referral_accept, name="referral-accept"),
    path(
        "referrals/<uuid:referral_id>/decline/",
        referrals.referral_decline,
        name="referral-decline",
    ),
    path(
        "referrals/<uuid:referral_id>/withdraw/",
        referrals.referral_withdraw,
        name="referral-withdraw",
    ),
    path("referrals/<uuid:referral_id>/close/", referrals.referral_close, name="referral-close"),
    path("handovers/<uuid:handover_id>/answer/", referrals.handover_answer, name="handover-answer"),
    path("plans/<uuid:plan_id>/", plans.plan_page, name="plan"),
    path("plans/<uuid:plan_id>/review/", plans.plan_review, name="plan-review"),
    path("plans/<uuid:plan_id>/activate/", plans.plan_activate, name="plan-activate"),
    path("plan-measures/<uuid:measure_id>/status/", plans.measure_status, name="measure-status"),
    path("plans/<uuid:plan_id>/edit/", plans.plan_edit, name="plan-edit"),
    path("plans/<uuid:plan_id>/goals/new/", plans.goal_new, name="plan-goal-new"),
    path("plan-goals/<uuid:goal_id>/edit/", plans.goal_edit, name="plan-goal-edit"),
    path("plans/<uuid:plan_id>/measures/new/", plans.measure_new, name="plan-measure-new"),
    path("plan-measures/<uuid:measure_id>/edit/", plans.measure_edit, name="plan-measure-edit"),
    path(
        "plans/<uuid:plan_id>/participants/new/",
        plans.participant_new,
        name="plan-participant-new",
    ),
    path(
        "plan-participants/<uuid:participant_id>/remove/",
        plans.participant_remove,
        name="plan-participant-remove",
    ),
    path(
        "plans/<uuid:plan_id>/coordinator/", plans.coordinator_offer, name="plan-coordinator-offer"
    ),
    path(
        "plans/<uuid:plan_id>/coordinator/answer/",
        plans.coordinator_answer,
        name="plan-coordinator-answer",
    ),
    path("reports/youth-guarantee/", reports.compliance_page, name="compliance"),
    path(
        "reports/youth-guarantee/youths/",
        reports.compliance_youths_page,
        name="compliance-youths",
    ),
    path("access-log/", reports.access_log_page, name="access-log"),
    path("access-log/requests/", reports.access_request_page, name="access-request"),
    path("staff/", team.team_home, name="team-home"),
    path("services/<uuid:service_id>/staff/", team.team, name="team"),
    path("memberships/<uuid:membership_id>/role/", team.membership_role, name="membership-role"),
    path("memberships/<uuid:membership_id>/end/", team.membership_end, name="membership-end"),
    path(
        "invitations/<uuid:invitation_id>/revoke/",
        team.invitation_revoke,
        name="invitation-revoke",
    ),
    path("account/api-tokens/", tokens.api_tokens, name="api-tokens"),
    path(
        "account/api-tokens/<uuid:token_id>/revoke/",
        tokens.api_token_revoke,
        name="api-token-revoke",
    ),
    path("settings/notifications/", notifications.notifications, name="notifications"),
]

portal_patterns = [
    path("", portal.home, name="home"),
    path("<uuid:youth_id>/", portal.youth, name="youth"),
    path("<uuid:youth_id>/consents/<uuid:consent_id>/withdraw/", portal.withdraw, name="withdraw"),
    path("<uuid:youth_id>/threads/", dialogue.portal_thread_new, name="thread-new"),
    path("<uuid:youth_id>/threads/<uuid:thread_id>/", dialogue.portal_thread, name="thread"),
    path("<uuid:youth_id>/health-objection/", portal.health_objection, name="health-objection"),
    path("<uuid:youth_id>/notices/", portal_notices.notice_settings, name="notices"),
    path(
        "<uuid:youth_id>/activities/<uuid:activity_id>/",
        youth_plan.portal_activity,
        name="activity",
    ),
    path(
        "<uuid:youth_id>/consent-requests/<uuid:request_id>/",
        youth_plan.portal_consent_request,
        name="consent-request",
    ),
    path("<uuid:youth_id>/copy.pdf", portal.copy, {"file_format": "pdf"}, name="copy-pdf"),
    path("<uuid:youth_id>/copy.json", portal.copy, {"file_format": "json"}, name="copy-json"),
]

urlpatterns = [
    path("", include((staff_patterns, "pages"))),
    path("me/", include((portal_patterns, "portal"))),
]
