"""DataLoader batch functions for knowledge articles' GraphQL fields."""

from app.graphql.batches import Batching, grouped_by
from app.knowledge.repository import ArticleRepository

# Every revision row; what a viewer may read of them is decided by `reading.readable_versions`.
revisions = Batching(ArticleRepository).batch(
    lambda repository, keys: repository.revisions(keys), grouped_by("article_id")
)
