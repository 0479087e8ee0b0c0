"""The permission codes code refers to (权限项代码).

Names, notes and which need the password again are data (``shared.standards.Permission``,
seeded from ``post_permissions.json``); which post carries which is data too
(``PostGrant``, overridable per county). Code names the permission a page or service
needs by these constants only; a test keeps them equal to the seeded catalogue.
"""

from __future__ import annotations

from enum import StrEnum


class Perm(StrEnum):
    MEMBERS_VIEW = "members.view"
    MEMBERS_EDIT = "members.edit"
    MEMBERS_STATUS = "members.status"
    MEMBERS_REVEAL = "members.reveal"
    STATS_VIEW = "stats.view"
    DEVELOPMENT_MANAGE = "development.manage"
    DEVELOPMENT_APPROVE = "development.approve"
    TRANSFERS_MANAGE = "transfers.manage"
    DUES_MANAGE = "dues.manage"
    ORGS_MANAGE = "orgs.manage"
    POSTS_MANAGE = "posts.manage"
    ACCOUNTS_MANAGE = "accounts.manage"
    NOTICES_PUBLISH = "notices.publish"
    ORGLIFE_MANAGE = "orglife.manage"
    LEARNING_MANAGE = "learning.manage"
    FLOWING_MANAGE = "flowing.manage"
