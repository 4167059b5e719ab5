"""The site's URLs: the admin, and a health endpoint for load balancers and pdv."""
import os

from django.contrib import admin
from django.db import connection
from django.http import JsonResponse
from django.urls import path


def healthz(request):
    # Ready only when the database answers.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "version": os.environ.get("DJANGO_VERSION", "dev")})


urlpatterns = [
    path("healthz", healthz),
    path("admin/", admin.site.urls),
]
