# Convenience targets: each runs the same command the README gives.
.PHONY: help book test lab
help: ## list the targets
	@grep -E '^[a-z]+:.*## ' Makefile | sed 's/:.*## /\t/'
book: ## build the whole book into _build/html
	python3 tasks.py book
test: ## run the whole test suite
	python3 tasks.py test
lab: ## open the chapters in JupyterLab (optional)
	python3 tasks.py lab
