"""Write the schema's SDL to `schema.graphql` (`make schema`); a test fails when it is stale."""

import sys
from pathlib import Path

from app.graphql.schema import schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def sdl() -> str:
    return schema.as_str() + "\n"


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else SCHEMA_FILE
    target.write_text(sdl())
    print(f"wrote {target}")
