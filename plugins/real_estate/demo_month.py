"""The demo sales office's month, pure: who came or called on each of the 30 days before today, and who
received them under the office's own rotation (RE-01/02/14, :mod:`plugins.real_estate.rotation_rules`).
No database: :mod:`plugins.real_estate.demo` writes what this module decides.

Seeded (:data:`SEED`), so the same ``today`` and the same salespeople give the same month. Each day:

- the manager's order of the day (the six salespeople, rotated by one each day), one salesperson off
  duty on weekdays, and every third day one out on company business 10:00–11:30 (they are owed a
  make-up turn, CUS-31); owed turns are carried to the next day;
- 5–7 visits and 10–12 calls on weekdays, 10–12 visits and 14–18 calls at weekends, 15 visits and 20
  calls on the launch day (the Saturday two to three weeks back: its visits carry ``event = "launch"``,
  RE-24);
- about a third of the visitors are new (received in rotation), a few of them name a salesperson they
  know (designated, RE-02); the others come back to the salesperson who received them first (RE-02);
  twice a returning visitor comes while their salesperson is out on business and a colleague assists
  (RE-14);
- each visitor's intent class (A/B/C, RE-51), which may rise on a later visit.

Public: :data:`SEED`, :class:`Person`, :class:`Contact`, :class:`Day`, :class:`Month`, :func:`simulate`,
:func:`launch_day`.
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from plugins.real_estate import rotation_rules as rot
from plugins.real_estate.rotation_rules import Absence, DayRotation, Salesperson, Visit

SEED = 8
DAYS = 30
ASSISTED_DAYS = (11, 22)  # day indexes (0 = the oldest day) with a returning visit while the owner is out

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方邹熊孟秦白江薛尹段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔向汤"
GIVEN = ("建军", "秀英", "志强", "丽娟", "海燕", "晓东", "国庆", "雪梅", "俊杰", "婷婷", "子涵", "浩然", "欣怡", "宇航",
         "思雨", "文博", "佳琪", "明轩", "雨桐", "梓萱", "德华", "桂芳", "玉兰", "春梅", "伟", "静", "敏", "磊", "勇",
         "艳", "涛", "娜", "军", "杰", "鹏", "华", "平", "刚", "霞", "琳", "凯", "超", "亮", "颖", "倩", "波", "斌",
         "峰", "蕾", "小龙", "红梅", "建平", "晓燕", "永刚", "丹", "露", "晨", "瑶", "昊", "一鸣")
#: names already used by the core's demo customers and the demo staff: never given to a visitor
TAKEN_NAMES = frozenset({"王建华", "李秀英", "张丽", "章丽", "刘德明", "陈晓东", "赵雪梅", "孙志强", "周敏", "吴海燕",
                         "黄磊", "马云飞", "杨帆", "何静", "周建国", "李娜", "王强", "陈静", "刘洋", "赵敏", "孙磊",
                         "吴芳"})
MOBILE_PREFIXES = ("138", "139", "135", "136", "137", "150", "151", "152", "158", "159", "182", "183", "187", "188",
                   "177", "180", "189", "199", "181", "186")
DISTRICTS = ("高新区", "武侯区", "锦江区", "青羊区", "成华区", "金牛区", "双流区", "天府新区", "郫都区", "温江区")
SOURCES_VISIT = ("路过看到售楼部", "朋友介绍", "网络广告", "户外广告", "老业主推荐", "房产中介带看")
SOURCES_CALL = ("网络广告", "户外广告", "报纸广告", "朋友介绍", "房产网站")
BACKGROUNDS = ("首次置业，婚房，预算一百万左右", "改善型，现住六十平老房，想换三室", "孩子明年上小学，看重学区",
               "父母来成都养老，想要低楼层", "投资，关心租金和升值", "在高新区上班，想离公司近",
               "二胎家庭，需要四室", "外地来蓉工作，首次购房，关心公积金贷款", "想要南北通透、高楼层",
               "比较了周边几个楼盘，在意价格")
INTENT_FIRST = (("A", 0.15), ("B", 0.35), ("C", 0.50))


@dataclass(frozen=True)
class Person:
    """A visitor or caller (becomes a customer in the archive)."""

    index: int
    name: str
    mobile: str  # 11 digits, national
    district: str
    source: str
    background: str


@dataclass
class Contact:
    """One visit or call, as it arrived and as the rotation received it."""

    day: dt.date
    at: dt.datetime  # aware (UTC)
    kind: str  # visit | call
    person: int
    first: bool  # the person's first contact with the office
    asked: str  # the rotation's visit kind asked for: first_time | returning | designated
    named: int | None  # the owner (returning) or the named salesperson (designated)
    event: str | None
    reception: rot.Reception | None = None
    present: tuple[int, ...] = ()
    intent: str | None = None  # the person's class after this contact

    @property
    def owner(self) -> int | None:
        """Whose customer the person is after this contact (the absent owner of an assisted visit)."""
        return self.reception.owner_id or self.reception.staff_id


@dataclass
class Day:
    day: dt.date
    rotation: DayRotation  # the state at the end of the day
    contacts: list[Contact] = field(default_factory=list)


@dataclass
class Month:
    people: list[Person]
    days: list[Day]
    owners: dict[int, int]  # person → salesperson
    intent: dict[int, str]  # person → the latest class

    def contacts(self) -> list[Contact]:
        return [c for d in self.days for c in d.contacts]


def launch_day(today: dt.date) -> dt.date:
    """The launch day (RE-24): the latest Saturday at least two weeks before ``today``."""
    day = today - dt.timedelta(days=14)
    while day.weekday() != 5:
        day -= dt.timedelta(days=1)
    return day


class _People:
    """New visitors and callers with unique names and mobile numbers."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.people: list[Person] = []
        self.names: set[str] = set(TAKEN_NAMES)
        self.mobiles: set[str] = set()

    def new(self, kind: str) -> Person:
        rng = self.rng
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        while name in self.names:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        mobile = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}"
        while mobile in self.mobiles:
            mobile = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}"
        self.names.add(name)
        self.mobiles.add(mobile)
        person = Person(len(self.people), name, mobile, rng.choice(DISTRICTS),
                        rng.choice(SOURCES_VISIT if kind == "visit" else SOURCES_CALL), rng.choice(BACKGROUNDS))
        self.people.append(person)
        return person


def _volumes(rng: random.Random, day: dt.date, launch: dt.date) -> tuple[int, int]:
    if day == launch:
        return 15, 20
    if day.weekday() >= 5:
        return rng.randint(10, 12), rng.randint(14, 18)
    return rng.randint(5, 7), rng.randint(10, 12)


def _local(day: dt.date, minutes: int, zone: ZoneInfo) -> dt.datetime:
    start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=zone)
    return (start + dt.timedelta(minutes=minutes)).astimezone(dt.UTC)


def _absences(index: int, day: dt.date, order: Sequence[Salesperson], zone: ZoneInfo) -> list[Absence]:
    """One salesperson off on weekdays; every third day another out on company business 10:00–11:30."""
    result = []
    if day.weekday() < 5:
        off = order[(index * 5 + 3) % len(order)].id
        result.append(Absence(off, "off_duty", _local(day, 8 * 60, zone), _local(day, 22 * 60, zone)))
    if index % 3 == 2 or index in ASSISTED_DAYS:
        away = next(p.id for k, p in enumerate(order) if k >= 1 and all(a.staff_id != p.id for a in result))
        result.append(Absence(away, "company_business", _local(day, 10 * 60, zone), _local(day, 11 * 60 + 30, zone)))
    return result


def _intent_after(rng: random.Random, current: str | None, kind: str) -> str | None:
    if current is None:
        if kind == "call":
            return "B" if rng.random() < 0.2 else "C"
        draw, total = rng.random(), 0.0
        for klass, share in INTENT_FIRST:
            total += share
            if draw < total:
                return klass
        return "C"
    if kind == "visit" and current != "A" and rng.random() < 0.3:
        return "A" if current == "B" else "B"
    return current


def simulate(today: dt.date, salespeople: Sequence[Salesperson], *, timezone: str = rot.DEFAULT_TIMEZONE,
             settings: dict | None = None) -> Month:
    """The month before ``today`` (the 30 local days ``today - 30`` … ``today - 1``)."""
    rng = random.Random(SEED)
    zone = ZoneInfo(timezone)
    people = _People(rng)
    owners: dict[int, int] = {}
    intent: dict[int, str] = {}
    launch = launch_day(today)
    days: list[Day] = []
    previous: DayRotation | None = None
    base = list(salespeople)
    for index in range(DAYS):
        day = today - dt.timedelta(days=DAYS - index)
        shift = index % len(base)
        order = base[shift:] + base[:shift]
        state = rot.start_day(day, order, previous=previous)
        for absence in _absences(index, day, order, zone):
            state = rot.mark_absent(state, absence)
        visits, calls = _volumes(rng, day, launch)
        arrivals = sorted([("visit", rng.randint(9 * 60 + 30, 18 * 60)) for _ in range(visits)]
                          + [("call", rng.randint(9 * 60, 20 * 60)) for _ in range(calls)], key=lambda a: a[1])
        if index in ASSISTED_DAYS:
            arrivals.append(("assisted", 10 * 60 + 40))
            arrivals.sort(key=lambda a: a[1])
        today_row = Day(day, state)
        seen_today: set[int] = set()
        for kind, minute in arrivals:
            at = _local(day, minute, zone)
            contact = _arrival(rng, people, owners, intent, state, kind, at, day, launch, seen_today)
            if contact is None:
                continue
            reception, state = rot.receive(settings, state, Visit(
                None, at, kind=contact.asked, staff_id=contact.named, label=people.people[contact.person].name),
                timezone=timezone)
            contact.reception = reception
            contact.present = tuple(sid for sid, a in rot.availability_at(state, at).items() if a.value == "on_duty")
            if contact.owner is not None:
                owners.setdefault(contact.person, contact.owner)
            contact.intent = intent[contact.person] = _intent_after(rng, intent.get(contact.person), contact.kind)
            seen_today.add(contact.person)
            today_row.contacts.append(contact)
        today_row.rotation = state
        days.append(today_row)
        previous = state
    return Month(people.people, days, owners, intent)


def _arrival(rng, people: _People, owners: dict[int, int], intent: dict[int, str], state: DayRotation, kind: str,
             at: dt.datetime, day: dt.date, launch: dt.date, seen_today: set[int]) -> Contact | None:
    on_duty = {sid for sid, a in rot.availability_at(state, at).items() if a.value == "on_duty"}
    event = "launch" if day == launch and kind == "visit" else None
    if kind == "assisted":  # a returning visitor whose salesperson is out on business (RE-14)
        away = {a.staff_id for a in state.absences if a.reason == "company_business" and a.covers(at)}
        known = [p for p, owner in sorted(owners.items()) if owner in away and p not in seen_today]
        if not known:
            return None
        person = rng.choice(known)
        return Contact(day, at, "visit", person, False, rot.RETURNING, owners[person], None)
    new_share = (0.6 if event else 0.3) if kind == "visit" else 0.08
    returning = [p for p, owner in sorted(owners.items()) if owner in on_duty and p not in seen_today]
    if returning and rng.random() >= new_share:
        person = rng.choice(returning)
        return Contact(day, at, kind, person, False, rot.RETURNING, owners[person], event)
    person = people.new(kind).index
    if kind == "visit" and on_duty and rng.random() < 0.08:  # names a salesperson they know (RE-02)
        return Contact(day, at, kind, person, True, rot.DESIGNATED, rng.choice(sorted(on_duty)), event)
    return Contact(day, at, kind, person, True, rot.FIRST_TIME, None, event)
