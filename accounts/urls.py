from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("auth/tokens", views.TokenViewSet, basename="api-token")

urlpatterns = [
    path("auth/token/", views.ObtainTokenView.as_view(), name="auth-token"),
    path("auth/logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/unlock/", views.UnlockAccountView.as_view(), name="auth-unlock"),
    *router.urls,
]
