"""Users of the tenant, the caller's own profile and API tokens."""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.accounts import service
from core.accounts.models import AVAILABILITY, ApiToken, Department, User
from core.accounts.tokens import SCOPES
from core.db import db
from core.errors import NotFound
from web.api.auth import require_roles
from web.api.pagination import page_of

PREFIX = ""
blp = Blueprint("accounts", __name__, description="Users, roles and API tokens of the tenant")


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    username = fields.String(required=True, validate=validate.Length(min=1, max=100))
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    email = fields.Email(allow_none=True)
    phone = fields.String(allow_none=True, metadata={"description": "normalised to E.164"})
    roles = fields.List(fields.String(), load_default=list)
    is_active = fields.Boolean(dump_only=True)
    locale = fields.String(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    password = fields.String(load_only=True, validate=validate.Length(min=8, max=200))
    department_id = fields.Integer(dump_only=True, allow_none=True)
    team = fields.String(dump_only=True, allow_none=True)
    availability = fields.String(dump_only=True, metadata={"description": "CAL-11: " + ", ".join(AVAILABILITY)})
    availability_until = fields.DateTime(dump_only=True, allow_none=True)


class UserUpdateSchema(Schema):
    display_name = fields.String(validate=validate.Length(min=1, max=100))
    email = fields.Email(allow_none=True)
    phone = fields.String(allow_none=True)
    roles = fields.List(fields.String())
    is_active = fields.Boolean()
    locale = fields.String(validate=validate.OneOf(["zh_Hans", "zh_Hant", "en"]))
    password = fields.String(load_only=True, validate=validate.Length(min=8, max=200))
    department_id = fields.Integer(allow_none=True)
    team = fields.String(allow_none=True, validate=validate.Length(max=100))
    availability = fields.String(validate=validate.OneOf(AVAILABILITY),
                                 metadata={"description": "CAL-11 availability (leave, company_business...)"})
    availability_until = fields.DateTime(allow_none=True)


class DepartmentSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    parent_id = fields.Integer(allow_none=True, load_default=None)
    head_user_id = fields.Integer(allow_none=True, load_default=None,
                                  metadata={"description": "the department head (部门经理)"})
    created_at = fields.DateTime(dump_only=True)


class DepartmentUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=100))
    parent_id = fields.Integer(allow_none=True)
    head_user_id = fields.Integer(allow_none=True)


class TenantBriefSchema(Schema):
    id = fields.Integer()
    slug = fields.String()
    name = fields.String()
    industry = fields.String()
    timezone = fields.String()


class MeSchema(Schema):
    user = fields.Nested(UserSchema)
    tenant = fields.Nested(TenantBriefSchema)
    scopes = fields.List(fields.String())


class TokenSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    scopes = fields.List(fields.String(validate=validate.OneOf(SCOPES)), load_default=lambda: ["read"])
    expires_at = fields.DateTime(allow_none=True, load_default=None)
    created_at = fields.DateTime(dump_only=True)
    last_used_at = fields.DateTime(dump_only=True)
    revoked_at = fields.DateTime(dump_only=True)
    user_id = fields.Integer(dump_only=True)


class NewTokenSchema(TokenSchema):
    token = fields.String(dump_only=True, metadata={"description": "shown once; only its hash is stored"})


class UserQuerySchema(Schema):
    role = fields.String()
    q = fields.String(metadata={"description": "part of the username or display name"})
    department_id = fields.Integer()


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeSchema)
    def get(self):
        """The calling user, their tenant and the token's scopes."""
        return {"user": g.user, "tenant": g.tenant, "scopes": sorted(g.scopes)}


@blp.route("/users")
class Users(MethodView):
    @blp.arguments(UserQuerySchema, location="query")
    @blp.response(200, UserSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """List the tenant's users."""
        stmt = select(User).order_by(User.id)
        if args.get("q"):
            like = f"%{args['q']}%"
            stmt = stmt.where(User.username.ilike(like) | User.display_name.ilike(like))
        if args.get("role"):
            stmt = stmt.where(User.role_rows.any(role=args["role"]))
        if args.get("department_id"):
            stmt = stmt.where(User.department_id == args["department_id"])
        return page_of(stmt, pagination_parameters)

    @require_roles("tenant_admin")
    @blp.arguments(UserSchema)
    @blp.response(201, UserSchema)
    def post(self, data):
        """Create a user (tenant admin)."""
        user = service.create_user(
            data["username"], data["display_name"], data.get("password"), roles=data.get("roles", []),
            email=data.get("email"), phone=data.get("phone"), region=g.tenant.region,
        )
        db.session.commit()
        return user


@blp.route("/users/<int:user_id>")
class UserItem(MethodView):
    @blp.response(200, UserSchema)
    def get(self, user_id):
        """One user."""
        return service.get_user(user_id)

    @require_roles("tenant_admin")
    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    def patch(self, data, user_id):
        """Change a user's name, contact, roles, password, active flag, department, team or availability
        (tenant admin)."""
        user = service.update_user(service.get_user(user_id), **data)
        db.session.commit()
        return user


@blp.route("/departments")
class Departments(MethodView):
    @blp.response(200, DepartmentSchema(many=True))
    def get(self):
        """The tenant's departments (a tree by ``parent_id``)."""
        return list(db.session.scalars(select(Department).order_by(Department.id)))

    @require_roles("tenant_admin")
    @blp.arguments(DepartmentSchema)
    @blp.response(201, DepartmentSchema)
    def post(self, data):
        """Create a department (tenant admin)."""
        department = service.save_department(None, **data)
        db.session.commit()
        return department


@blp.route("/departments/<int:department_id>")
class DepartmentItem(MethodView):
    @blp.response(200, DepartmentSchema)
    def get(self, department_id):
        """One department."""
        return service.get_department(department_id)

    @require_roles("tenant_admin")
    @blp.arguments(DepartmentUpdateSchema)
    @blp.response(200, DepartmentSchema)
    def patch(self, data, department_id):
        """Rename a department, move it in the tree or change its head (tenant admin)."""
        department = service.save_department(service.get_department(department_id), **data)
        db.session.commit()
        return department


def _own_token(token_id: int) -> ApiToken:
    token = db.session.scalars(select(ApiToken).where(ApiToken.id == token_id)).first()
    if token is None or (token.user_id != g.user.id and not g.user.has_role("tenant_admin")):
        raise NotFound("token not found")
    return token


@blp.route("/tokens")
class Tokens(MethodView):
    @blp.response(200, TokenSchema(many=True))
    def get(self):
        """The caller's API tokens (hashes are never shown)."""
        return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == g.user.id).order_by(ApiToken.id)))

    @blp.arguments(TokenSchema)
    @blp.response(201, NewTokenSchema)
    def post(self, data):
        """Create an API token for the caller. The token is in the answer once."""
        if "admin" in data["scopes"] and not g.user.has_role("tenant_admin"):
            from core.errors import Forbidden

            raise Forbidden("only a tenant admin may hold an admin token", fields={"scopes": ["admin not allowed"]})
        token, raw = service.issue_token(g.user, data["name"], data["scopes"], data.get("expires_at"))
        db.session.commit()
        token.token = raw
        return token


@blp.route("/tokens/<int:token_id>")
class TokenItem(MethodView):
    @blp.response(200, TokenSchema)
    def get(self, token_id):
        """One of the caller's tokens."""
        return _own_token(token_id)

    @blp.response(204)
    def delete(self, token_id):
        """Revoke a token."""
        service.revoke_token(_own_token(token_id))
        db.session.commit()
