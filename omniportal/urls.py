from __future__ import annotations

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import language, views, views_lockouts, views_pin, views_switch

api_v1 = [
    path("", include("inventory.api_urls")),
    path("", include("clienteling.api_urls")),
    path("", include("orders.api_urls")),
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", language.set_language, name="set_language"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include(api_v1)),
]

urlpatterns += i18n_patterns(
    path("store/", views.choose_store, name="choose-store"),
    path("accounts/login/", views_switch.DeviceSignInView.as_view(), name="login"),
    path("accounts/switch/", views_switch.switch_person, name="switch-person"),
    path("accounts/pin/", views_pin.set_pin, name="set-pin"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/lockouts/", views_lockouts.lockouts, name="lockouts"),
    path("admin/", admin.site.urls),
    path("", include("workspace.urls")),
    path("", include("inventory.urls")),
    path("", include("clienteling.urls")),
    path("", include("orders.urls")),
    path("", include("insights.urls")),
    prefix_default_language=False,
)

admin.site.site_header = "Omniportal · head office"
admin.site.site_title = "Omniportal"
