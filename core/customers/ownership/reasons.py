"""The reasons (Chinese and English) of the ownership decisions: CUS-21 claims, CUS-22/23/24
windows, CUS-24 takeovers, CUS-26 locks, assignments; and the text helpers (times, durations)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Mapping, Sequence
from zoneinfo import ZoneInfo

from core.calendar import Duration, WorkCalendar
from core.calendar.model import DEFAULT_TIMEZONE
from core.customers.ownership.facts import Claim, Deal, Fact, RuleDecision, Staff, claim_fact
from core.customers.ownership.vocabulary import (
    ASSIGNMENT, CLAIM_VERB_EN, CLAIM_VERB_ZH, CONTACT_EN, CONTACT_ZH, EVIDENCE_EN, EVIDENCE_ZH, EXPIRED, FIXED,
    LOCKED, NO_QUALIFYING_SERVICE, ROLE_EN, ROLE_ZH, ROLLING, UNIT_ZH, VOID_MISSED_CONTACT, VOID_WEAK_STREAK,
)

if TYPE_CHECKING:
    from core.customers.ownership.windows import Tenure, Window


END_ZH = {
    EXPIRED: "建档有效期届满",
    VOID_MISSED_CONTACT: "未按时有效联系，认领作废",
    VOID_WEAK_STREAK: "连续弱渠道联系，认领作废",
    NO_QUALIFYING_SERVICE: "服务不到位",
    None: "保护期结束",
}
END_EN = {
    EXPIRED: "archive validity over",
    VOID_MISSED_CONTACT: "no valid contact in time, claim void",
    VOID_WEAK_STREAK: "consecutive weak-channel contacts, claim void",
    NO_QUALIFYING_SERVICE: "no qualifying service",
    None: "window over",
}


def claim_reason(calendar: WorkCalendar | None, claim: Claim, overruled: Sequence[Claim],
                  corroborating: Sequence[Claim], previous: tuple[Staff, Window] | None) -> tuple[str, str]:
    who_zh, who_en = claim.claimant.zh, claim.claimant.en
    when = minute(calendar, claim.at)
    zh = f"{who_zh}于{when}的{EVIDENCE_ZH[claim.kind]}为最早的有效证据，依据CUS-21首访原则，客户归{who_zh}。"
    en = (f"The {EVIDENCE_EN[claim.kind]} of {who_en} at {when} is the earliest valid evidence; under CUS-21 "
          f"(first claim) the customer belongs to {who_en}.")
    if previous is not None:
        prev_owner, window = previous
        zh = (f"{prev_owner.zh}的认领已于{minute(calendar, window.end)}失效（{END_ZH[window.end_reason]}，"
              f"保护至{window.through}），过期证据不计；") + zh
        en = (f"{prev_owner.en}'s claim ended at {minute(calendar, window.end)} ({END_EN[window.end_reason]}, "
              f"protected through {window.through}) and expired evidence does not count. ") + en
    if overruled:
        zh += "较晚的证据（" + "、".join(f"{c.claimant.zh} {minute(calendar, c.at)}" for c in overruled) + "）不能取代。"
        en += " Later evidence (" + ", ".join(f"{c.claimant.en} {minute(calendar, c.at)}" for c in overruled) + \
              ") does not displace it."
    if corroborating:
        zh += "佐证：" + "、".join(f"{EVIDENCE_ZH[c.kind]} {minute(calendar, c.at)}" for c in corroborating) + "。"
        en += " Corroborated by: " + ", ".join(f"{EVIDENCE_EN[c.kind]} {minute(calendar, c.at)}"
                                               for c in corroborating) + "."
    return zh, en


def claim_decision(calendar: WorkCalendar, tenure: Tenure) -> RuleDecision:
    """CUS-21 decision of a tenure started by a claim: what it overruled, what corroborates it and
    the expired claim it followed."""
    claim, previous = tenure.claim, tenure.previous
    others = [c for c, why in tenure.overruled if why in ("owner_protected", "locked")]
    own = [c for c, why in tenure.overruled if why == "corroborates"]
    zh, en = claim_reason(calendar, claim, others, own, previous)
    facts = [claim_fact(claim, "winner")]
    facts += [claim_fact(c, "overruled") for c in others] + [claim_fact(c, "corroborating") for c in own]
    outcome: dict[str, Any] = {"owner": claim.claimant, "since": claim.at}
    if previous is not None:
        facts.append(Fact("previous_window_end", None, previous[1].end, f"{previous[0].id}:{previous[1].end_reason}"))
        outcome["previous_owner"] = previous[0]
    return RuleDecision("CUS-21", tuple(facts), outcome, zh, en)


def assignment_decision(calendar: WorkCalendar, claim: Claim, tenure: Tenure | None) -> RuleDecision:
    rule = claim.rule_id or "CUS-34"
    when = minute(calendar, claim.at)
    before_zh = f"（原负责人{tenure.owner.zh}）" if tenure and tenure.owner != claim.claimant else ""
    before_en = f" (previously {tenure.owner.en})" if tenure and tenure.owner != claim.claimant else ""
    zh = f"依据{rule}的决定，客户自{when}起归{claim.claimant.zh}{before_zh}。"
    en = f"By a {rule} decision the customer belongs to {claim.claimant.en} from {when}{before_en}."
    return RuleDecision(rule, (claim_fact(claim, "assignment"),), {"owner": claim.claimant, "since": claim.at},
                        zh, en)


def takeover_decision(policy: Mapping[str, Any], calendar: WorkCalendar, claim: Claim, start: dt.datetime,
                       previous: tuple[Staff, Window]) -> RuleDecision:
    """CUS-24 (2): another employee's claim on a customer without service, approved."""
    old, window = previous
    approver_role = policy["ownership"]["under_service"]["claim_approver"]
    role_zh, role_en = ROLE_ZH.get(approver_role, approver_role), ROLE_EN.get(approver_role, approver_role)
    by_zh = claim.approved_by.zh if claim.approved_by else ""
    by_en = f" {claim.approved_by.en}" if claim.approved_by else ""
    last_zh = f"最近一次合格服务{window.last.valid_date}，" if window.last else "无合格服务，"
    last_en = f"last qualifying service {window.last.valid_date}, " if window.last else "no qualifying service, "
    claim_day = calendar.local_date(claim.at)
    approved_day = calendar.local_date(claim.approved_at)
    from_day = calendar.local_date(window.end)
    zh = (f"{old.zh}的客户服务不到位（{last_zh}保护至{window.through}，自{from_day}起可认领）；"
          f"{claim.claimant.zh}于{claim_day}邀约并上报，{role_zh}{by_zh}于{approved_day}批准，"
          f"依据CUS-24客户归{claim.claimant.zh}。")
    en = (f"{old.en}'s customer was not served ({last_en}protected through {window.through}, claimable from "
          f"{from_day}); {claim.claimant.en} invited and reported the customer on {claim_day} and the "
          f"{role_en}{by_en} approved on {approved_day}: under CUS-24 the customer belongs to {claim.claimant.en}.")
    facts = (
        claim_fact(claim, "takeover"),
        Fact("approval", claim.record_id, claim.approved_at,
             str(claim.approved_by.id) if claim.approved_by else approver_role),
        Fact("window_end", None, window.end, f"{old.id}:{window.end_reason}"),
    ) + ((window.last.fact,) if window.last else ())
    outcome = {"owner": claim.claimant, "previous_owner": old, "since": start,
               "claimable_from": from_day, "approved_at": claim.approved_at}
    return RuleDecision("CUS-24", facts, outcome, zh, en)


def lock_decision(calendar: WorkCalendar, deal: Deal, tenure: Tenure | None) -> RuleDecision:
    owner = deal.performance_owner
    day = calendar.local_date(deal.at)
    zh = (f"客户于{day}成交（{deal.kind}），归属锁定给业绩归属人{owner.zh}；保护期不再适用，"
          f"后续跟进与售后由{owner.zh}负责（CUS-26）。")
    en = (f"The customer closed a deal ({deal.kind}) on {day}; ownership is locked to the performance owner "
          f"{owner.en}, windows no longer apply and follow-up and after-sales belong to {owner.en} (CUS-26).")
    facts = (Fact(f"deal:{deal.kind}", deal.record_id, deal.at, str(owner.id)),)
    outcome = {"owner": owner, "status": LOCKED,
               "previous_owner": tenure.owner if tenure and tenure.owner != owner else None}
    return RuleDecision("CUS-26", facts, outcome, zh, en)


def window_decision(policy: Mapping[str, Any], calendar: WorkCalendar, tenure: Tenure, window: Window,
                     warning_at: dt.datetime | None, ended: bool, now: dt.datetime) -> RuleDecision:
    owner = tenure.owner
    start_day = calendar.local_date(tenure.start)
    kind = tenure.claim.kind if tenure.claim else ASSIGNMENT
    verb_zh = "经批准接手" if tenure.rule_id == "CUS-24" else CLAIM_VERB_ZH[kind]
    verb_en = "took over (approved)" if tenure.rule_id == "CUS-24" else CLAIM_VERB_EN[kind]
    through = window.through.isoformat() if window.through else None
    facts = [claim_fact(tenure.claim, "claim")] if tenure.claim else []
    facts += [v.fact for v in window.considered]
    outcome: dict[str, Any] = {"owner": owner, "valid_through": window.through, "window_end": window.end,
                               "ended": ended, "end_reason": window.end_reason if ended else None}
    ownership = policy["ownership"]
    mode = ownership["mode"]

    if window.rule_id == "CUS-20":
        zh = (f"客户于{start_day}由{owner.zh}{verb_zh}；本租户未设保护期（cus.ownership.mode = none），"
              f"归属不自动到期。")
        en = (f"{owner.en} {verb_en} the customer on {start_day}; the tenant has no protection window "
              f"(cus.ownership.mode = none), so ownership does not expire.")
        return RuleDecision("CUS-20", tuple(facts), outcome, zh, en)

    if mode == FIXED:
        if window.last is not None:
            renew_day = calendar.local_date(window.last.contact.at)
            kind_zh, kind_en = CONTACT_ZH[window.last.contact.kind], CONTACT_EN[window.last.contact.kind]
            zh = (f"客户于{start_day}由{owner.zh}{verb_zh}；{renew_day}的{kind_zh}续期"
                  f"（renew_on_contact），建档有效期至{through}。")
            en = (f"{owner.en} {verb_en} the customer on {start_day}; the {kind_en} on {renew_day} renewed it "
                  f"(renew_on_contact), so the archive is valid through {through}.")
        else:
            zh = f"客户于{start_day}由{owner.zh}{verb_zh}，建档有效期至{through}。"
            en = f"{owner.en} {verb_en} the customer on {start_day}; the archive is valid through {through}."
        if ended:
            zh += f"有效期已过，自{calendar.local_date(window.end)}起客户可被认领。"
            en += f" The validity is over: the customer is claimable from {calendar.local_date(window.end)}."
    elif mode == ROLLING:
        rolling = ownership["rolling"]
        zh = (f"{owner.zh}自{minute(calendar, tenure.start)}起认领客户（滚动保护：首次有效联系须在"
              f"{dur_zh(rolling['first_within'])}内，此后每{dur_zh(rolling['every'])}）。")
        en = (f"{owner.en} has claimed the customer since {minute(calendar, tenure.start)} (rolling protection: "
              f"a first valid contact within {dur_en(rolling['first_within'])}, then every "
              f"{dur_en(rolling['every'])}).")
        last = window.last
        if window.end_reason == VOID_WEAK_STREAK and ended:
            zh += window.considered[-1].reason_zh
            en += " " + window.considered[-1].reason_en
        else:
            if last is not None:
                zh += (f"最近一次有效联系为{calendar.local_date(last.contact.at)}的{CONTACT_ZH[last.contact.kind]}"
                       f"（有效日期{last.valid_date}{'，待确认' if last.code == 'pending_confirmation' else ''}）。")
                en += (f" Last valid contact: {CONTACT_EN[last.contact.kind]} on "
                       f"{calendar.local_date(last.contact.at)} (valid date {last.valid_date}"
                       f"{', awaiting confirmation' if last.code == 'pending_confirmation' else ''}).")
            if ended:
                zh += f"未在{through}前完成有效联系，认领于{minute(calendar, window.end)}作废。"
                en += f" No valid contact through {through}: the claim is void from {minute(calendar, window.end)}."
            else:
                zh += f"下次有效联系须于{through}前完成。"
                en += f" The next valid contact is due through {through}."
    else:
        settings = ownership["under_service"]
        qualifying_zh = "、".join(CONTACT_ZH[k] for k in settings["qualifying"])
        qualifying_en = ", ".join(CONTACT_EN[k] for k in settings["qualifying"])
        zh = (f"{owner.zh}自{start_day}起负责该客户（服务不到位规则：{dur_zh(settings['window'])}内须有"
              f"合格服务：{qualifying_zh}）。")
        en = (f"{owner.en} has owned the customer since {start_day} (under-service rule: a qualifying service — "
              f"{qualifying_en} — within {dur_en(settings['window'])}).")
        for verdict in window.considered:
            if not verdict.valid:
                zh += verdict.reason_zh
                en += " " + verdict.reason_en
        if window.last is not None:
            zh += f"最近一次合格服务为{window.last.valid_date}的{CONTACT_ZH[window.last.contact.kind]}，保护至{through}。"
            en += (f" Last qualifying service: {CONTACT_EN[window.last.contact.kind]} on {window.last.valid_date}; "
                   f"protected through {through}.")
        else:
            zh += f"尚无合格服务，保护至{through}。"
            en += f" No qualifying service yet; protected through {through}."
        if ended:
            role = settings["claim_approver"]
            from_day = calendar.local_date(window.end)
            zh += (f"期内无合格服务，自{from_day}起其他部门员工可邀约该客户并立即上报"
                   f"{ROLE_ZH.get(role, role)}批准变更（公司亦可重新分配，CUS-35）。")
            en += (f" No qualifying service in the window: from {from_day} an employee of another department may "
                   f"invite the customer and report at once to the {ROLE_EN.get(role, role)} for approval "
                   f"(the company may also reassign, CUS-35).")
    if not ended and warning_at is not None and now >= warning_at:
        zh += f"自{calendar.local_date(warning_at)}起到期提醒负责人及经理（CUS-25）。"
        en += f" Expiry warnings to the owner and manager since {calendar.local_date(warning_at)} (CUS-25)."
    outcome["warning_from"] = None if warning_at is None else calendar.local_date(warning_at)
    return RuleDecision(window.rule_id, tuple(facts), outcome, zh, en)


def minute(calendar: WorkCalendar | None, t: dt.datetime) -> str:
    tz = calendar.tz if calendar is not None else ZoneInfo(DEFAULT_TIMEZONE)
    return t.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def minute_of(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M")


def dur_zh(duration: Duration) -> str:
    return f"{duration.amount}{UNIT_ZH[duration.unit]}"


def dur_en(duration: Duration) -> str:
    return str(duration).replace("_", " ")


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
