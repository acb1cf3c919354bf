from django.urls import path
from rest_framework.routers import SimpleRouter

from coordination.api import access_requests, plans, views

router = SimpleRouter()
router.register("deadlines", views.DeadlineViewSet, basename="deadline")
router.register("deadline-rules", views.DeadlineRuleViewSet, basename="deadline-rule")
router.register("plans", plans.PlanViewSet, basename="plan")
router.register("plan-participants", plans.PlanParticipantViewSet, basename="plan-participant")
router.register("plan-goals", plans.PlanGoalViewSet, basename="plan-goal")
router.register("plan-measures", plans.PlanMeasureViewSet, basename="plan-measure")
router.register("child-coordinators", plans.ChildCoordinatorViewSet, basename="child-coordinator")

urlpatterns = [
    path(
        "me/reminder-preference/",
        views.ReminderPreferenceView.as_view(),
        name="my-reminder-preference",
    ),
    path(
        "reports/youth-guarantee/",
        views.YouthGuaranteeReportView.as_view(),
        name="report-youth-guarantee",
    ),
    path("access-requests/", access_requests.AccessRequestView.as_view(), name="access-request"),
    *router.urls,
]
