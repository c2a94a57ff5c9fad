FROM python:3.11-slim

WORKDIR /srv/haven
RUN useradd --system --create-home haven
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
RUN pip install --no-cache-dir .

USER haven
ENV HAVEN_ENV=production HAVEN_HOST=0.0.0.0 HAVEN_HOME=/home/haven/.haven
EXPOSE 8000
CMD ["haven", "serve", "--no-migrate", "--host", "0.0.0.0", "--port", "8000"]
