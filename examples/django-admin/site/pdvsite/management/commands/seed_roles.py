"""Create the two people pdv signs in as, with passwords from the environment.

  admin  — a superuser;
  editor — staff who may only *view* users (auth.view_user).

python3 manage.py seed_roles, with DJANGO_ADMIN_PASSWORD and DJANGO_EDITOR_PASSWORD set.
"""
import os

from django.contrib.auth.models import Permission, User
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the admin and editor accounts (passwords from DJANGO_ADMIN_PASSWORD, DJANGO_EDITOR_PASSWORD)."

    def handle(self, *args, **options):
        admin, _ = User.objects.get_or_create(username="admin", defaults={"email": "admin@example.com"})
        admin.is_staff = admin.is_superuser = True
        admin.set_password(os.environ["DJANGO_ADMIN_PASSWORD"])
        admin.save()
        editor, _ = User.objects.get_or_create(username="editor", defaults={"email": "editor@example.com"})
        editor.is_staff = True
        editor.is_superuser = False
        editor.set_password(os.environ["DJANGO_EDITOR_PASSWORD"])
        editor.save()
        editor.user_permissions.set([Permission.objects.get(codename="view_user", content_type__app_label="auth")])
        self.stdout.write("seeded admin and editor")
