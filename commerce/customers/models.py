"""Account schemas."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, EmailStr, Field, StringConstraints


class Role(StrEnum):
    customer = "customer"
    ops = "ops"
    admin = "admin"


Password = Annotated[str, StringConstraints(min_length=10, max_length=128)]


def normalise_email(value: object) -> object:
    """NFKC, so lookalikes (fullwidth `ａｎａ@ｅｘａｍｐｌｅ.com`, ligatures) are the address they
    imitate: one account per address however it is typed. Lower-case comparison is the index's job."""
    return unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else value


# NFKC before the address is validated, and again after (validation may itself re-normalise to NFC).
Email = Annotated[EmailStr, BeforeValidator(normalise_email), AfterValidator(normalise_email)]


class RegisterRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"example": {"email": "ana@example.com", "password": "correct-horse-42", "name": "Ana"}}
    )

    email: Email
    password: Password
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class LoginRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"example": {"email": "ana@example.com", "password": "correct-horse-42"}}
    )

    email: Annotated[str, BeforeValidator(normalise_email), StringConstraints(max_length=320)]
    password: Annotated[str, StringConstraints(max_length=128)]


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int = Field(description="Seconds until the access token expires")


class CustomerPublic(BaseModel):
    id: int
    email: str
    name: str
    role: Role
    created_at: datetime


class RoleUpdate(BaseModel):
    role: Role


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of a request."""

    customer_id: int
    email: str
    role: Role
    session_id: UUID

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.ops, Role.admin)
