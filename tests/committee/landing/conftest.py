"""The drafting group and its contribution of tests/committee/contributions, for the links to
the drafting workspace."""

from tests.committee.contributions.conftest import drafting, group  # noqa: F401 - fixtures
