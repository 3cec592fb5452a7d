FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# gettext for the catalogues; Pango, HarfBuzz's subsetter and DejaVu for WeasyPrint, which draws
# the sealed minutes' PDF.
RUN apt-get update && apt-get install -y --no-install-recommends gettext \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml ./
RUN pip install --no-cache-dir --upgrade pip
COPY . .
RUN pip install --no-cache-dir . && DEBUG=0 SECRET_KEY=build python manage.py collectstatic --noinput
RUN useradd --create-home cobudget && chown -R cobudget /app
USER cobudget
EXPOSE 8000
CMD ["gunicorn", "cobudget.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "2", "--access-logfile", "-"]
