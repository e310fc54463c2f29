"""Demo users of a demo tenant: one per main role, Chinese names, one shared demo password."""
from __future__ import annotations

from sqlalchemy import select

from core.accounts.models import Department
from core.accounts.service import create_user, find_user, save_department
from core.db import db

DEMO_PASSWORD = "kehu-demo"

DEMO_USERS = [
    ("admin", "周建国", ["tenant_admin", "gm"], "13800138000"),
    ("manager", "李娜", ["sales_manager", "dept_manager"], "13912345678"),
    ("sales1", "王强", ["salesperson"], "13700001111"),
    ("sales2", "陈静", ["salesperson"], "13600002222"),
    ("cs", "刘洋", ["cs_agent"], "13500003333"),
    ("cs_lead", "赵敏", ["cs_supervisor", "dept_manager"], "13400004444"),
    ("tech", "孙磊", ["technician"], "13300005555"),
    ("finance", "吴芳", ["finance"], "13200006666"),
]


# department → (head, members): the manager sees the team's customers and cases (department scope)
DEMO_DEPARTMENTS = [("销售部", "manager", ("sales1", "sales2")),
                    ("客户服务部", "cs_lead", ("cs", "tech")),
                    ("财务部", "admin", ("finance",))]


def create_demo_users():
    logins = []
    for username, name, roles, phone in DEMO_USERS:
        if find_user(username) is None:
            create_user(username, name, DEMO_PASSWORD, roles=roles, phone=phone)
        logins.append((username, DEMO_PASSWORD, ",".join(roles)))
    for name, head, members in DEMO_DEPARTMENTS:
        if db.session.scalars(select(Department).where(Department.name == name)).first() is not None:
            continue
        department = save_department(None, name=name, head_user_id=find_user(head).id)
        for username in (head, *members):
            user = find_user(username)
            if user.department_id is None:
                user.department_id = department.id
    db.session.flush()
    return logins
