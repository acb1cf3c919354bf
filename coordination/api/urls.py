from django.urls import path
from rest_framework.routers import SimpleRouter

from coordination.api import views

router = SimpleRouter()
router.register("deadlines", views.DeadlineViewSet, basename="deadline")
router.register("deadline-rules", views.DeadlineRuleViewSet, basename="deadline-rule")

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
    *router.urls,
]
