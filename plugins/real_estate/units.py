"""Projects, buildings and units, and every move of a unit's state (RE-30).

- :func:`create_project`, :func:`create_building`, :func:`create_unit`, :func:`update_unit` — what the
  office sells, written by the managers or master sales control (:data:`UNIT_EDITORS`, checked by the
  API and the pages).
- :func:`move` — the only way a unit changes state: :func:`~plugins.real_estate.unit_rules.move_check`
  first (409 / 403 with its reason), then a conditional ``UPDATE re_units SET state = :to, version =
  version + 1 WHERE id = :id AND state = :from`` so that of two writers only one wins.
- :func:`refusal` — a refused rule check as the domain's error (409 / 403 / 422), its reasons in
  Chinese and English attached for the pages.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import select, update

from core.db import db, get_one, utcnow
from core.errors import Conflict, Forbidden, InvalidInput
from plugins.real_estate.portal import OFFICE_MANAGERS
from plugins.real_estate.sales_models import Building, Project, Unit
from plugins.real_estate.unit_rules import CONFLICT, FORBIDDEN, move_check

#: who creates projects and buildings and edits units (price, popularity, ...)
UNIT_EDITORS = (*OFFICE_MANAGERS, "master_sales_control")
#: everyone of the sales office who reads sales control
SALES_READERS = (*UNIT_EDITORS, "salesperson", "assistant", "finance", "front_desk")
UNIT_FIELDS = ("number", "floor", "layout", "area", "price", "orientation", "popularity")


def refusal(check, fields: dict | None = None):
    """The error for a refused check of the rules (``allowed`` False): 409, 403 or 422."""
    extra = {"rule_id": check.rule_id, "reason_zh": check.reason_zh, "reason_en": check.reason_en}
    if check.refusal == CONFLICT:
        return Conflict(check.reason_en, **extra)
    if check.refusal == FORBIDDEN:
        return Forbidden(check.reason_en, **extra)
    return InvalidInput(check.reason_en, fields=fields or getattr(check, "errors", None) or {}, **extra)


# ------------------------------------------------------------------ projects and buildings


def get_project(project_id: int) -> Project:
    return get_one(Project, project_id, "project")


def get_building(building_id: int) -> Building:
    return get_one(Building, building_id, "building")


def get_unit(unit_id: int, *, for_update: bool = False) -> Unit:
    return get_one(Unit, unit_id, "unit", for_update=for_update)


def _required_text(data: dict, name: str, errors: dict, most: int) -> str | None:
    value = (data.get(name) or "").strip()
    if not value:
        errors.setdefault(name, []).append("required")
    elif len(value) > most:
        errors.setdefault(name, []).append(f"at most {most} characters")
    return value or None


def create_project(data: dict) -> Project:
    errors: dict = {}
    name = _required_text(data, "name", errors, 100)
    if name and db.session.scalar(select(Project.id).where(Project.name == name)):
        errors["name"] = ["a project of this name exists already"]
    if errors:
        raise InvalidInput("invalid project", fields=errors)
    project = Project(name=name, city=data.get("city") or None, address=data.get("address") or None,
                      department_id=data.get("department_id"))
    db.session.add(project)
    db.session.flush()
    return project


def create_building(project: Project, data: dict) -> Building:
    errors: dict = {}
    name = _required_text(data, "name", errors, 50)
    if name and db.session.scalar(select(Building.id).where(Building.project_id == project.id,
                                                            Building.name == name)):
        errors["name"] = ["a building of this name exists already in this project"]
    if errors:
        raise InvalidInput("invalid building", fields=errors)
    building = Building(project_id=project.id, name=name, floors=data.get("floors"))
    db.session.add(building)
    db.session.flush()
    return building


def buildings_of(project_id: int) -> list[Building]:
    return list(db.session.scalars(select(Building).where(Building.project_id == project_id)
                                   .order_by(Building.name, Building.id)))


# ------------------------------------------------------------------ units


def _money(value, name: str, errors: dict) -> Decimal | None:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0:
        errors.setdefault(name, []).append("an amount above 0")
        return None
    return amount


FLOORS = (-99, 300)  # basements to the highest building (``floors`` at most 300)


def _floor(value, errors: dict) -> int | None:
    """A floor from the API (an int) or a CSV cell (text: ASCII digits, a leading minus), within
    :data:`FLOORS`; anything else is the field's error (never ``int()`` on a "²")."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    digits = text[1:] if text.startswith("-") else text
    if isinstance(value, bool) or not (digits.isascii() and digits.isdigit()) \
            or not FLOORS[0] <= int(text) <= FLOORS[1]:
        errors["floor"] = [f"a whole number from {FLOORS[0]} to {FLOORS[1]}"]
        return None
    return int(text)


def _unit_values(data: dict, project_id: int, current: Unit | None = None) -> dict:
    """The checked fields of a unit (all of them for a new unit, those given for an edit)."""
    errors: dict = {}
    values: dict = {}
    given = [f for f in UNIT_FIELDS if f in data] if current else list(UNIT_FIELDS)
    for name in given:
        value = data.get(name)
        if name == "number":
            number = _required_text(data, "number", errors, 30)
            clash = select(Unit.id).where(Unit.project_id == project_id, Unit.number == number)
            if current is not None:
                clash = clash.where(Unit.id != current.id)
            if number and db.session.scalar(clash):
                errors["number"] = ["a unit of this number exists already in this project"]
            values["number"] = number
        elif name in ("area", "price"):
            values[name] = _money(value, name, errors)
        elif name == "floor":
            values[name] = _floor(value, errors)
        elif name == "popularity":
            classes = popularity_classes()
            value = value or classes[len(classes) // 2]  # unsaid: the middle class
            if value not in classes:
                errors["popularity"] = [f"one of {', '.join(classes)}"]
            values[name] = value
        else:
            values[name] = value if value not in ("",) else None
    if errors:
        raise InvalidInput("invalid unit", fields=errors)
    return values


def create_unit(building: Building, data: dict) -> Unit:
    unit = Unit(project_id=building.project_id, building_id=building.id, state="available", version=1,
                **_unit_values(data, building.project_id))
    db.session.add(unit)
    db.session.flush()
    return unit


def update_unit(unit: Unit, data: dict) -> Unit:
    """Edit a unit's description and price (not its state: only :func:`move` moves it)."""
    for name, value in _unit_values(data, unit.project_id, unit).items():
        setattr(unit, name, value)
    unit.version = (unit.version or 1) + 1
    db.session.flush()
    return unit


def units(*, project_id: int | None = None, building_id: int | None = None, state: str | None = None):
    """The select of units, by building, floor from the top, then number."""
    stmt = select(Unit)
    if project_id is not None:
        stmt = stmt.where(Unit.project_id == project_id)
    if building_id is not None:
        stmt = stmt.where(Unit.building_id == building_id)
    if state:
        stmt = stmt.where(Unit.state == state)
    return stmt.order_by(Unit.building_id, Unit.floor.desc(), Unit.number)


# ------------------------------------------------------------------ moves


def move(unit: Unit, to_state: str, roles, *, allowed_by=None, **values):
    """RE-30: move ``unit`` to ``to_state`` for a holder of ``roles`` (``values``: other columns set in
    the same statement). Refused by the rules → 409/403; lost to another writer → 409. Returns the
    check (its reasons describe the move). ``allowed_by``: the allowed check of another rule that makes
    this move instead of the state machine (RE-40: a swap's new unit takes the old one's state)."""
    from_state = unit.state
    check = allowed_by if allowed_by is not None else move_check(from_state, to_state, roles)
    if not check.allowed:
        raise refusal(check)
    done = db.session.execute(
        update(Unit).where(Unit.id == unit.id, Unit.state == from_state)
        .values(state=to_state, version=Unit.version + 1, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)).rowcount
    if done != 1:
        db.session.refresh(unit)
        raise Conflict(f"unit {unit.number} changed meanwhile (it is {unit.state} now)", rule_id="RE-30",
                       reason_zh=f"房源{unit.number}刚被他人变更，请刷新销控后重试",
                       reason_en=f"unit {unit.number} was changed meanwhile; refresh sales control and try again")
    db.session.refresh(unit)
    return check


# ------------------------------------------------------------------ references checked in the tenant


def known_customer(customer_id: int | None) -> bool:
    """Whether ``customer_id`` is a customer of the current tenant."""
    from core.customers.models import Customer

    return customer_id is not None and db.session.scalar(select(Customer.id).where(Customer.id == customer_id)) \
        is not None


def known_user(user_id: int | None) -> bool:
    """Whether ``user_id`` is an active user of the current tenant."""
    from core.accounts.models import User

    return user_id is not None and db.session.scalar(
        select(User.id).where(User.id == user_id, User.is_active.is_(True))) is not None


# ------------------------------------------------------------------ CSV import

def popularity_classes() -> list[str]:
    """The tenant's popularity classes, the most popular first (``re.units.popularity_classes``)."""
    from plugins.real_estate.policy import re_policy

    return list(re_policy().values["units"]["popularity_classes"])


CSV_COLUMNS = ("number", "floor", "layout", "area", "price", "orientation", "popularity")


def import_units(building: Building, text: str) -> list[Unit]:
    """Units of ``building`` from CSV text (a header row naming :data:`CSV_COLUMNS`; number, area and
    price required). All or nothing: any bad row → 422 naming the rows (``row 3.price``)."""
    import csv
    import io

    reader = csv.DictReader(io.StringIO((text or "").lstrip("\ufeff")))
    if not reader.fieldnames or not {"number", "area", "price"} <= {f.strip() for f in reader.fieldnames}:
        raise InvalidInput("invalid import", fields={"csv": ["a header row with number, area and price"]})
    made, errors = [], {}
    for n, row in enumerate(reader, start=2):
        data = {k.strip(): (v or "").strip() for k, v in row.items() if k and k.strip() in CSV_COLUMNS}
        data = {k: (v if v != "" else None) for k, v in data.items()}
        try:
            with db.session.begin_nested():
                made.append(create_unit(building, data))
        except InvalidInput as err:
            for name, messages in err.fields.items():
                errors[f"row {n}.{name}"] = messages
    if errors:
        raise InvalidInput("invalid import", fields=errors)
    if not made:
        raise InvalidInput("invalid import", fields={"csv": ["no unit rows"]})
    return made
