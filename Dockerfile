# ParkBot image: the same steps as `make run` (install from the lock file, build the index from
# the shipped corpus, serve). Build: docker build -t parkbot .   Run: docker run -p 8000:8000 parkbot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    ANONYMIZED_TELEMETRY=False \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 parkbot
WORKDIR /app

# Dependencies first, from the pins (cached unless the lock changes).
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

# The application, its settings and data, then the package itself.
COPY pyproject.toml README.md Makefile ./
COPY config ./config
COPY data ./data
COPY bot ./bot
COPY retrieval ./retrieval
COPY scoring ./scoring
RUN pip install --no-cache-dir --no-deps -e . && chown -R parkbot:parkbot /app

USER parkbot
# Build the index at image build time (same command as `make index`).
RUN parkbot ingest

EXPOSE 8000
CMD ["parkbot", "serve", "--host", "0.0.0.0", "--port", "8000"]
