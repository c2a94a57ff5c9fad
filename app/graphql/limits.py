"""The validation rules that bound a GraphQL document's depth and aliases, shared by the schema
and the live fan-out (which validates subscriptions itself), without importing the schema."""

from graphql import ASTValidationRule
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter

from app.graphql.errors import HideSuggestions
from app.kit.settings import Settings


def validation_rules(settings: Settings) -> list[type[ASTValidationRule]]:
    """The limit rules, made once: the validation cache is keyed on the rule classes, so rules
    rebuilt per request would never hit it."""
    rules = [
        *QueryDepthLimiter(max_depth=settings.graphql_max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases).validation_rules,
    ]
    return [*rules, HideSuggestions] if settings.production else rules
