from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import SimpleRouter

from cases.api import activities, sharing, views

router = SimpleRouter()
router.register("youths", views.YouthViewSet, basename="youth")
router.register("services", views.ServiceViewSet, basename="service")
router.register("follow-up-periods", views.FollowUpPeriodViewSet, basename="period")
router.register("entries", sharing.EntryViewSet, basename="entry")
router.register("consents", sharing.ConsentViewSet, basename="consent")
router.register("referrals", sharing.ReferralViewSet, basename="referral")
router.register("handovers", sharing.HandoverViewSet, basename="handover")
router.register("access-log", sharing.AccessLogViewSet, basename="access-log")
router.register("activity-plans", activities.ActivityPlanViewSet, basename="activity-plan")
router.register("activities", activities.ActivityViewSet, basename="activity")

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="auth-token"),
    path("me/memberships/", views.MyMembershipsView.as_view(), name="my-memberships"),
    *router.urls,
]
