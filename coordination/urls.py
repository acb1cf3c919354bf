"""The project's URLs: pages for staff and youths, the API under /api/v1/, its schema and docs,
admin, health."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularSwaggerView

from cases.api.schema_view import SchemaView
from coordination import views
from coordination.pages import auth, oidc, team, twofactor
from coordination.plans.views import plan_print

urlpatterns = [
    path("", auth.landing, name="landing"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("login/totp/", twofactor.totp, name="login-totp"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("oidc/staff/login/", oidc.LoginStart.as_view(client="staff"), name="oidc-staff-login"),
    path("oidc/staff/callback/", oidc.Callback.as_view(client="staff"), name="oidc-staff-callback"),
    path(
        "oidc/idporten/login/",
        oidc.LoginStart.as_view(client="idporten"),
        name="oidc-idporten-login",
    ),
    path(
        "oidc/idporten/callback/",
        oidc.Callback.as_view(client="idporten"),
        name="oidc-idporten-callback",
    ),
    path("invitation/<str:secret>/", team.invitation, name="staff-invitation"),
    path("health/", views.health, name="health"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("plans/<uuid:plan_id>/print/", plan_print, name="plan-print"),
    path("admin/", admin.site.urls),
    path("", include("coordination.pages.urls")),
    path("api/v1/", include("cases.api.urls")),
    path("api/v1/", include("coordination.api.urls")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]
handler404 = "coordination.api.views.not_found"
