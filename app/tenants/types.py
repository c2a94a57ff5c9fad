import strawberry

from app.kit.attributes import from_attributes
from app.kit.ids import to_global_id
from app.tenants.models import Plan, Tenant

strawberry.enum(Plan, name="Plan", description="The tenant's subscription plan.")


@strawberry.type(name="Tenant", description="An organisation using Haven; all data belongs to one.")
class TenantType:
    id: strawberry.ID = strawberry.field(description="Global id.")
    name: str = strawberry.field(description="Display name.")
    slug: str = strawberry.field(description="Short unique name used in URLs and sign-in.")
    plan: Plan = strawberry.field(description="Subscription plan; sets rate limits.")

    @classmethod
    def from_row(cls, row: Tenant) -> "TenantType":
        return from_attributes(
            cls, row, id=strawberry.ID(to_global_id("Tenant", row.id)), plan=Plan(row.plan)
        )
