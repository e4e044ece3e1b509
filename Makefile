# Till's everyday commands. "make help" lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

GO          ?= go
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# Debian packages Till needs: Tesseract 5 and its headers for the cgo engine.
APT_PACKAGES := tesseract-ocr tesseract-ocr-eng libtesseract-dev gcc pkg-config
# Tesseract's OpenMP runtime reads this when it loads; see ocr.EnsureThreadLimit.
export OMP_THREAD_LIMIT := 1
# Tesseract's "best_int" models read receipts better than Debian's "fast"
# ones (docs/extraction.md); "make deps" fetches them here with npm.
TESSDATA := $(CURDIR)/.tessdata
export TILL_TESSDATA ?= $(TESSDATA)

.PHONY: help deps build run test lint bench clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

deps: ## install what Till needs, if missing: Debian packages and the best_int OCR models
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$sudo apt-get update -qq && $$sudo apt-get install -y -qq $$missing; \
	fi
	@if [ ! -s $(TESSDATA)/eng.traineddata ]; then \
		if command -v npm >/dev/null; then scripts/tessdata.sh $(TESSDATA) eng deu || \
			echo "could not fetch the best_int models: using Debian's Tesseract models"; \
		else echo "npm not found: using Debian's Tesseract models, which read receipts less well"; fi; \
	fi

build: deps ## build bin/till
	$(GO) build -o bin/till ./cmd/till

run: build ## run the whole service on the embedded default (./till-data, 127.0.0.1:8080)
	./bin/till serve

test: deps ## run every test (PostgreSQL too when TILL_TEST_DATABASE_URL is set)
	$(GO) test -count=1 ./...

lint: ## go vet, gofmt and staticcheck
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) run $(STATICCHECK) ./...

# The PostgreSQL "make bench" measures when TILL_TEST_DATABASE_URL is unset
# and something answers on 127.0.0.1:5432.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
# Packages whose benchmark op is a whole pass over folders of receipt images:
# one op each is the measurement. Every other package gets Go's default
# benchmark time, which its per-request and per-query ops need.
PASS_BENCH := ./ocr/ ./imaging/

bench: deps ## run the benchmarks, PostgreSQL's too when it is reachable (see README)
	@url="$${TILL_TEST_DATABASE_URL:-}"; \
	if [ -z "$$url" ] && (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then url='$(BENCH_DATABASE_URL)'; fi; \
	if [ -n "$$url" ]; then echo "PostgreSQL: $$url"; else echo "PostgreSQL: none reachable; its benchmarks skip"; fi; \
	export TILL_TEST_DATABASE_URL="$$url"; \
	uptime; \
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m $(PASS_BENCH) && \
	$(GO) test -run '^$$' -bench . -timeout 60m $$($(GO) list ./... | grep -v -e '/ocr$$' -e '/imaging$$')

clean: ## remove build output and the fetched OCR models
	rm -rf bin $(TESSDATA)
