# The starwatch image used by docker-compose.yml for the worker, beat and crawler services.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY crawlers ./crawlers
COPY workers ./workers
COPY search ./search
COPY starwatch ./starwatch
RUN pip install --no-cache-dir . && useradd --create-home starwatch
USER starwatch
CMD ["starwatch", "--help"]
