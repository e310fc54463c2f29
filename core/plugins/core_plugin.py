"""Core default plugin: the spec's roles, the calendar policy, the core navigation, the generic preset
and the demo users. Industry plugins add to these through the same hooks."""
from __future__ import annotations

from core.plugins.markers import hookimpl
from core.plugins.records import IndustryPreset, NavItem, PeriodicJob, PluginInfo, PolicySchema, Role

CORE_ROLES = [
    Role("tenant_admin", "系统管理员", "Tenant administrator"),
    Role("gm", "总经理", "General manager"),
    Role("vp", "副总经理", "Vice president"),
    Role("dept_manager", "部门经理", "Department manager"),
    Role("supervisor", "主管", "Supervisor"),
    Role("sales_manager", "销售经理", "Sales manager"),
    Role("salesperson", "销售顾问", "Salesperson"),
    Role("assistant", "销售助理", "Assistant"),
    Role("resource_director", "客户资源总监", "Customer resource director"),
    Role("cs_agent", "客服专员", "Customer service agent"),
    Role("cs_supervisor", "客服主管", "Customer service supervisor"),
    Role("cs_manager", "客服经理", "Customer service manager"),
    Role("technician", "服务专员", "Technician"),
    Role("finance", "财务", "Finance"),
    Role("info_supervisor", "信息主管", "Information supervisor"),  # CUS-74/75: exports, leaks (篇六)
]

MANAGERS = ("tenant_admin", "gm", "vp", "dept_manager", "sales_manager", "cs_manager")


@hookimpl
def kehu_plugin_info():
    return PluginInfo(
        name="core",
        title_zh="核心",
        title_en="Core",
        description="Customers, complaints, service, staff ledger, calendar, policies and decisions.",
        core=True,
    )


@hookimpl
def kehu_industry_presets():
    return [
        IndustryPreset(
            name="generic",
            title_zh="通用",
            title_en="Generic",
            plugins=(),
            policies={},
            demo_slug="huaxin",
            demo_name="华信安装服务有限公司",
        )
    ]


@hookimpl
def kehu_policy_schemas():
    from core.calendar.policy import CalendarPolicySchema
    from core.complaints.policy import CmpPolicySchema
    from core.customers.policy import CusPolicySchema
    from core.service.policy import SvcPolicySchema
    from core.staff.policy import StfPolicySchema

    return [
        PolicySchema("cal", CalendarPolicySchema, "工作日历", "Working-day calendar"),
        PolicySchema("cus", CusPolicySchema, "客户管理制度", "Customer management"),
        PolicySchema("cmp", CmpPolicySchema, "投诉处理制度", "Complaint handling"),
        PolicySchema("stf", StfPolicySchema, "员工奖惩制度", "Staff penalties and rewards"),
        PolicySchema("svc", SvcPolicySchema, "客户服务制度", "Customer service"),
    ]


@hookimpl
def kehu_roles():
    return list(CORE_ROLES)


@hookimpl
def kehu_periodic_jobs():
    """The core's periodic jobs (cadences in the tenant's time zone, DOMAIN.md §13). Their minutes are
    spread (sweeps at :x1/:x6 and :x3, daily jobs each on a minute of its own, none on the :x0/:x5
    ticks of the lost-job recovery sweep), so that a tick of the scheduler never enqueues every job of
    every tenant at once."""
    from core.complaints.deadlines_jobs import CADENCE as CMP_REMINDERS
    from core.complaints.major_jobs import CADENCE as MAJOR_WATCH
    from core.complaints.reports_jobs import PERIODIC as COMPLAINT_REPORT_JOBS
    from core.customers.confidentiality.jobs import PERIODIC as CONFIDENTIALITY_JOBS
    from core.customers.ownership.jobs import CADENCE, SWEEP
    from core.service.contract_jobs import PERIODIC as SVC_CONTRACT_JOBS
    from core.service.duties_jobs import PERIODIC as DUTY_JOBS
    from core.sla.jobs import RECOMPUTE_CADENCE, SWEEP_CADENCE
    from core.staff.pay_jobs import PERIODIC as PAY_CYCLE_JOBS

    return [
        PeriodicJob(SWEEP, CADENCE),  # CUS-25: expiry warnings and actions, arbitration windows
        PeriodicJob("cus.event_list_check", "2 21 * * *"),  # CUS-82/83: late and missing lists, duplicates
        PeriodicJob("cus.ka_review", "32 2 * * *"),  # CUS-51, daily
        PeriodicJob("cus.grading_cycle", "4 1 * * *"),  # CUS-52, daily (windows and due dates in local days)
        PeriodicJob("cus.credit_evaluation", "12 2 1 * *"),  # CUS-96, the 1st of each month
        PeriodicJob("cus.visit_generation", "34 0 * * *"),  # CUS-61 due and holiday visits, daily
        PeriodicJob("cus.visit_plans_reports", "7 9,18 * * *"),  # CUS-62 reports, plan reminder and flag
        PeriodicJob("cus.commitment_alerts", "1-59/5 * * * *"),  # CUS-63 at the due time
        PeriodicJob("cus.filing_reminders", "9 9 * * *"),  # CUS-04; the job skips days off
        *(PeriodicJob(name, cadence) for name, cadence in CONFIDENTIALITY_JOBS),  # CUS-71/73/75, CUS-07
        PeriodicJob("cmp.major_watch", MAJOR_WATCH, only_when_due="major"),  # CMP-42 ack and group warning limits
        PeriodicJob("stf.appeal_timers", "4-59/5 * * * *"),  # STF-21 appeal windows, overdue replies
        PeriodicJob("stf.penalty_publication", "47 2 1 * *"),  # STF-23 the month's penalty list to HR
        *(PeriodicJob(name, cadence) for name, cadence in COMPLAINT_REPORT_JOBS),  # CMP-80 packs, CMP-81 digest
        *(PeriodicJob(name, cadence) for name, cadence in PAY_CYCLE_JOBS),  # STF-34 statements, STF-43 flags
        PeriodicJob("cmp.return_visits", "31 0 * * *"),  # CMP-60..63, daily (and on resolution)
        PeriodicJob("svc.missing_records", "41 0 * * *"),  # SVC-16 records, SVC-23 post-completion documents
        PeriodicJob("svc.return_visit_due", "43 0 * * *"),  # SVC-14, daily (and on the feedback form)
        PeriodicJob("cmp.breach_consequences", "4-59/5 * * * *"),  # CMP-70/71 limits, CMP-63 escalations
        PeriodicJob("stf.correction_loop", "8 0 * * *"),  # STF-11 repeats of missed correction limits, daily
        PeriodicJob("cmp.employee_counters", "31 1 * * *"),  # CMP-73 complaint counters → HR flags, nightly
        PeriodicJob("stf.flags", "41 1 * * *"),  # STF-12 ledger counters → HR flags, nightly
        PeriodicJob("cmp.sla_timers", SWEEP_CADENCE, only_when_due="sla"),  # CMP-31..34, CMP-40, tenants with a timer due
        PeriodicJob("cmp.reminders", CMP_REMINDERS),  # CMP-35, the job skips days off
        PeriodicJob("cal.recompute_open_deadlines", RECOMPUTE_CADENCE),  # CAL-09, nightly
        *(PeriodicJob(name, cadence) for name, cadence in SVC_CONTRACT_JOBS),  # SVC-21 reminders, SVC-22 unpaid
        PeriodicJob("svc.fee_remittance", "2 9 * * *"),  # SVC-15 unremitted fees, the job skips days off
        PeriodicJob("svc.monthly_reports", "3 3 1 * *"),  # SVC-40 the previous month's pack
        *(PeriodicJob(name, cadence) for name, cadence in DUTY_JOBS),  # SVC-30/32 duty orders, missed duties
    ]


@hookimpl
def kehu_nav_items():
    return [
        NavItem("home", "首页", "Home", "portal.home", order=0),
        NavItem("customers", "客户", "Customers", "portal.customers.index", order=10),
        NavItem("complaints", "投诉", "Complaints", "portal.complaints.index", order=20),
        NavItem("service", "工单", "Work orders", "portal.service.index", order=30),
        NavItem("staff", "考核", "Staff", "portal.staff.index", order=40),
        NavItem("dashboards", "统计看板", "Dashboards", "portal.dashboards.index", order=50, roles=MANAGERS),
        # the roles that may run an import or an export (web/api/customer_transfer, complaint_reports, service_reports)
        NavItem("jobs", "导入导出", "Imports & exports", "portal.transfers.index", order=60,
                roles=(*MANAGERS, "assistant", "resource_director", "cs_supervisor", "supervisor", "finance")),
        NavItem("policies", "制度设置", "Policies", "portal.policies.index", order=80, roles=MANAGERS),
        NavItem("decisions", "决策记录", "Decisions", "portal.decisions", order=85, roles=MANAGERS),
        NavItem("users", "用户", "Users", "portal.users.index", order=90, roles=("tenant_admin",)),
    ]


@hookimpl(trylast=True)  # a decision hook: an industry plugin's answer comes first
def kehu_commission_split(deal):
    from core.staff.credit_rules import default_split

    return default_split(deal)


@hookimpl(trylast=True)
def kehu_credit_recognition(deal):
    from core.staff.credit_rules import default_recognition

    return default_recognition(deal)


@hookimpl(tryfirst=True)  # the demo users exist before any plugin adds its sample data
def kehu_provision_demo(tenant_id):
    from core.accounts.demo import create_demo_users
    from core.complaints.demo import provision as complaints_demo
    from core.customers.demo import provision as customers_demo
    from core.service.demo import provision as service_demo
    from core.staff.demo import provision as staff_demo

    logins = create_demo_users()
    customers_demo()  # customers with contacts, visits, follow-ups, grades and owners (CUS)
    service_demo()  # the generic preset's GPS installer: work orders in every stage (SVC)
    complaints_demo()  # complaints in every stage, on the demo customers (CMP)
    staff_demo()  # penalties, slips, credit and scorecards (STF)
    return logins
