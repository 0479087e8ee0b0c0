from tests.tenants.orglife.conftest import b, in_alpha  # noqa: F401  (the branch fixture)
