"""Airbyte's conventional entry file: `python main.py spec|check|discover|read …`."""

from source_skoot_athena.run import run

if __name__ == "__main__":
    run()
