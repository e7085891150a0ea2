# tasksync — see README.md. Every target here is what CI and the README use.
SHELL := /bin/bash
MVN ?= mvn -B
# Dev-only HS256 secret for `make run`; production must set its own BETTER_AUTH_SECRET (or a JWK Set).
DEV_SECRET ?= tasksync-dev-secret-NOT-FOR-PRODUCTION-0123456789
PORT ?= 8005
DAPR_HTTP_PORT ?= 3500
USER_ID ?= alice

.PHONY: run run-service test build image publish token audit clean bench bench-full bench-fastpath bench-podsize

## run: the whole local stack (Kafka, daprd, tasksync on :8005, dev mode)
run: build
	@BETTER_AUTH_SECRET="$(DEV_SECRET)" TASKSYNC_PORT=$(PORT) DAPR_HTTP_PORT=$(DAPR_HTTP_PORT) src/test/scripts/local-stack.sh

## run-service: tasksync alone on :8005 (no Dapr, no Kafka); /dev/publish injects events directly
run-service: build
	@echo "dev token: curl -s 'http://localhost:$(PORT)/dev/token?user_id=alice'   demo: http://localhost:$(PORT)/?user=alice"
	@BETTER_AUTH_SECRET="$(DEV_SECRET)" java -jar target/tasksync-0.1.0-SNAPSHOT.jar --server.port=$(PORT) --tasksync.dev.enabled=true

## test: everything — unit, integration, frontend, browser, end-to-end through real daprd + Kafka, the
## container image (built, inspected, run); then `make image` must rebuild the tested image, pushing it
## and building on a registry's base must work (a local registry), and the README's own workflow
## (make run, make token, make publish) runs against a real client
test:
	$(MVN) verify
	src/test/image/smoke-make-image.sh
	src/test/image/smoke-registry.sh
	src/test/scripts/smoke-local-stack.sh

build:
	$(MVN) -q -DskipTests package

## image: the container image as target/jib-image.tar (Jib: no Docker engine, no registry), on the
## registry-free base from src/main/docker/build-base-image.sh; BASE_IMAGE=<image> uses a registry's instead
image:
	$(MVN) -q -DskipTests $(if $(BASE_IMAGE),-Dimage.base=$(BASE_IMAGE) -Dimage.local-base.skip=true) pre-integration-test
	@echo "image: target/jib-image.tar ($$(du -h target/jib-image.tar | cut -f1)), load it with: docker load -i target/jib-image.tar"

## publish: a sample task event through daprd's publish API (make run must be running)
publish:
	@curl -fsS -X POST "http://127.0.0.1:$(DAPR_HTTP_PORT)/v1.0/publish/taskpubsub/task-updates" \
	  -H 'Content-Type: application/json' \
	  -d '{"event_type":"task.created","user_id":"$(USER_ID)","task":{"id":"'"$$RANDOM"'","title":"Sample task from make publish","status":"pending"}}' \
	  && echo "published a task.created event for $(USER_ID)"

## token: a dev token for USER_ID (make run or run-service must be running)
token:
	@curl -fsS "http://127.0.0.1:$(PORT)/dev/token?user_id=$(USER_ID)"; echo

## audit: dependencies with known vulnerabilities (npm advisories; Maven via OWASP dependency-check where the NVD is reachable)
audit:
	src/test/scripts/audit.sh

clean:
	$(MVN) -q clean

BENCH_PY ?= $(HOME)/.cache/tasksync/bench-venv/bin/python

## bench: short benchmark run: every scenario of src/docs/BENCHMARKS.md at small scale (10k connections), and issue #17's
## fastpath scenarios once each at small size; results + plots in target/bench
bench:
	src/test/bench/setup.sh
	$(BENCH_PY) src/test/bench/bench.py --profile short

## bench-full: the run recorded in src/docs/BENCHMARKS.md (100k connections over 6 processes)
bench-full:
	src/test/bench/setup.sh
	$(BENCH_PY) src/test/bench/bench.py --profile full

## bench-fastpath: issue #17's targets (one event per request, broadcast to 15k, 15k handshakes, memory and GC pauses
## with the image's JVM flags, moderate load warm and fresh), 3 runs each; target/bench/results-fastpath.{json,md}
bench-fastpath:
	src/test/bench/setup.sh
	$(BENCH_PY) src/test/bench/bench.py --profile fastpath

## bench-podsize: what k8s/'s requests and limits are set from (issue #16): RSS of tasksync (the StatefulSet's JVM flags and
## memory limit) and daprd with 10k connections held while daprd drains 20k events; target/bench/results-podsize.{json,md}
bench-podsize:
	src/test/bench/setup.sh
	$(BENCH_PY) src/test/bench/bench.py --profile short --only podsize --tag podsize
