from django.urls import path
from rest_framework.routers import SimpleRouter

from cases.api import (
    access_log,
    activities,
    consents,
    dialogue,
    disclosures,
    entries,
    handovers,
    ot_registrations,
    referrals,
    staff,
    tokens,
    views,
)

router = SimpleRouter()
router.register("youths", views.YouthViewSet, basename="youth")
router.register("services", views.ServiceViewSet, basename="service")
router.register("follow-up-periods", views.FollowUpPeriodViewSet, basename="period")
router.register("entries", entries.EntryViewSet, basename="entry")
router.register("consents", consents.ConsentViewSet, basename="consent")
router.register("disclosures", disclosures.DisclosureViewSet, basename="disclosure")
router.register("referrals", referrals.ReferralViewSet, basename="referral")
router.register("handovers", handovers.HandoverViewSet, basename="handover")
router.register("access-log", access_log.AccessLogViewSet, basename="access-log")
router.register("activity-plans", activities.ActivityPlanViewSet, basename="activity-plan")
router.register("activities", activities.ActivityViewSet, basename="activity")
router.register("threads", dialogue.ThreadViewSet, basename="thread")
router.register("messages", dialogue.MessageViewSet, basename="message")

urlpatterns = [
    path("auth/token/", tokens.ObtainTokenView.as_view(), name="auth-token"),
    path("auth/tokens/", tokens.MyTokensView.as_view(), name="my-tokens"),
    path("auth/tokens/<uuid:pk>/revoke/", tokens.RevokeTokenView.as_view(), name="token-revoke"),
    path("me/memberships/", views.MyMembershipsView.as_view(), name="my-memberships"),
    path(
        "reports/ot-registrations/",
        ot_registrations.OtRegistrationsReportView.as_view(),
        name="report-ot-registrations",
    ),
    path(
        "services/<uuid:pk>/clearances/",
        views.ServiceClearancesView.as_view(),
        name="service-clearances",
    ),
    path("services/<uuid:pk>/staff/", staff.ServiceStaffView.as_view(), name="service-staff"),
    path(
        "services/<uuid:pk>/invitations/",
        staff.ServiceInvitationsView.as_view(),
        name="service-invitations",
    ),
    path(
        "invitations/<uuid:pk>/revoke/",
        staff.InvitationRevokeView.as_view(),
        name="invitation-revoke",
    ),
    path("memberships/<uuid:pk>/role/", staff.MembershipRoleView.as_view(), name="membership-role"),
    path("memberships/<uuid:pk>/end/", staff.MembershipEndView.as_view(), name="membership-end"),
    *router.urls,
]
