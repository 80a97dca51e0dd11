# emostudio: every target works on a fresh Debian machine as root and is idempotent.
PY      := .venv/bin/python
PIP     := .venv/bin/pip
STAMP   := .venv/.setup-done
APT_PKGS := libosmesa6 libgl1 libglu1-mesa libsndfile1 chromium
export PYOPENGL_PLATFORM ?= osmesa
export OMP_NUM_THREADS ?= 2
export NODE_PATH := $(CURDIR)/.venv/node/node_modules

.PHONY: setup demo test ui bench train-prosody train-voice train-voices train-text train-ser calibrate-body export-fer clean

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	@if command -v apt-get >/dev/null 2>&1; then \
	  missing=$$(for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	  if [ -n "$$missing" ]; then \
	    echo "installing apt packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  fi; \
	fi
	test -x $(PY) || python3.11 -m venv .venv || python3 -m venv .venv
	$(PIP) install -q --upgrade "pip>=24"
	# torch first: a local CPU build; anything else would pull a multi-GB CUDA build.
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e ".[dev,ray]"
	# Their declared dependencies conflict with torch/warp-lang; what they need is installed above.
	$(PIP) install -q --no-deps anny==0.6.2 fer==25.10.3
	# The Khronos glTF validator for the export tests (skipped where npm is absent).
	if command -v npm >/dev/null 2>&1; then \
	  npm install -s --no-audit --no-fund --prefix .venv/node gltf-validator@2.0.0-dev.3.10; fi
	touch $(STAMP)

demo: setup
	$(PY) -m studio.cli parse --script examples/script.txt
	$(PY) -m studio.cli batch examples/script.txt --out out/demo --jobs 2
	$(PY) -m studio.cli batch examples/scene.yarn --cast examples/cast.yaml --out out/demo/scene --jobs 2

test: setup
	$(PY) -m pytest -q tests

ui: setup
	$(PY) app.py

bench: setup
	$(PY) bench/tts.py && $(PY) bench/face.py && $(PY) bench/gesture.py && $(PY) bench/critic.py && $(PY) bench/studio.py

train-text: setup
	$(PY) -m controllers.train_text_model

train-prosody: setup
	$(PY) -m synth.prosody.train

train-voice: setup
	$(PY) -m synth.voice.train

train-ser: setup
	$(PY) -m studio.critic.train_ser

train-voices: setup
	$(PY) -m synth.tts.fit_voices

calibrate-body: setup
	$(PY) -m studio.critic.calibrate_body

export-fer: setup
	$(PY) -m studio.critic.export_fer

clean:
	rm -rf out .pytest_cache
