"""WSGI entry point (gunicorn pdvsite.wsgi, or any WSGI server)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pdvsite.settings")
application = get_wsgi_application()
