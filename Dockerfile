FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY rota ./rota
COPY accounts ./accounts
RUN pip install --no-cache-dir '.[postgres]'
COPY . .
RUN SECRET_KEY=build-only python manage.py collectstatic --no-input
RUN useradd --system --home /app rota && mkdir -p /app/var && chown rota /app/var
USER rota
EXPOSE 8000
CMD ["gunicorn", "rota.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
