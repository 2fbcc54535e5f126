#!/usr/bin/env python3
"""Writes a synthetic Python code base for the Python benchmark.

Each module has SQLAlchemy models, an Alembic revision (chained to the
previous module's), a FastAPI router, a Flask blueprint with Stripe calls and
a webhook, and a service layer, in the shapes racelint analyses (racy and
fixed ones: get-or-create, read-modify-write, version checks, bulk updates,
locks, raw SQL, payments, webhooks). About 320 lines a module.
"""
import os
import sys

MODELS = '''from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Item{n}(Base):
    __tablename__ = "m{n}_items"
    __table_args__ = (UniqueConstraint("sku"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    stock: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {{"version_id_col": version}}


class Member{n}(Base):
    __tablename__ = "m{n}_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255))
    credits: Mapped[int] = mapped_column(Integer, default=0)


class Reservation{n}(Base):
    __tablename__ = "m{n}_reservations"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("m{n}_items.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("m{n}_members.id"))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)


class Event{n}(Base):
    __tablename__ = "m{n}_events"
    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
'''

MIGRATION = '''"""module {n} tables

Revision ID: r{n}
Revises: {parent}
"""
import sqlalchemy as sa
from alembic import op

revision = "r{n}"
down_revision = {parent_literal}


def upgrade():
    op.create_table(
        "m{n}_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("stock", sa.Integer, nullable=False, server_default="0"),
        sa.Column("status", sa.String(16), nullable=False, server_default="draft"),
        sa.Column("notes", sa.Text),
        sa.UniqueConstraint("sku", name="uq_m{n}_items_sku"),
    )
    op.add_column("m{n}_items", sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    op.create_table(
        "m{n}_members",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(255), nullable=False),
        sa.Column("credits", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "m{n}_reservations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("m{n}_items.id"), nullable=False),
        sa.Column("member_id", sa.Integer, sa.ForeignKey("m{n}_members.id"), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False, server_default="1"),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
    )
    op.create_index("ix_m{n}_reservations_key", "m{n}_reservations", ["idempotency_key"], unique=True)
    op.create_table("m{n}_events", sa.Column("event_id", sa.String(255), primary_key=True))
    op.execute("CREATE INDEX ix_m{n}_members_email ON m{n}_members (email)")


def downgrade():
    op.drop_table("m{n}_events")
    op.drop_table("m{n}_reservations")
    op.drop_table("m{n}_members")
    op.drop_table("m{n}_items")
'''

ROUTER = '''from fastapi import APIRouter, Depends, Header, HTTPException
from pydantic import BaseModel
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import get_session
from app.m{n}.models import Item{n}, Member{n}, Reservation{n}
from app.m{n}.service import reserve{n}

router = APIRouter(prefix="/m{n}")


class ItemIn(BaseModel):
    name: str
    notes: str | None = None
    version: int


@router.put("/items/{{item_id}}")
def replace_item(item_id: int, body: ItemIn, session: Session = Depends(get_session)):
    result = session.execute(
        update(Item{n})
        .where(Item{n}.id == item_id, Item{n}.version == body.version)
        .values(name=body.name, notes=body.notes, version=Item{n}.version + 1)
    )
    if result.rowcount == 0:
        raise HTTPException(status_code=409, detail="modified by another user")
    session.commit()
    return {{"id": item_id}}


@router.put("/items/{{item_id}}/bulk")
def replace_item_bulk(item_id: int, body: ItemIn, session: Session = Depends(get_session)):
    session.execute(update(Item{n}).where(Item{n}.id == item_id).values(name=body.name))
    session.commit()


@router.patch("/items/{{item_id}}")
def rename_item(item_id: int, body: ItemIn, session: Session = Depends(get_session)):
    item = session.get(Item{n}, item_id)
    if item is None:
        raise HTTPException(status_code=404)
    if item.version != body.version:
        raise HTTPException(status_code=409)
    item.name = body.name
    session.commit()
    return {{"id": item.id, "version": item.version}}


@router.post("/members")
def join(email: str, session: Session = Depends(get_session)):
    member = session.execute(select(Member{n}).where(Member{n}.email == email)).scalar_one_or_none()
    if member is not None:
        return {{"id": member.id}}
    member = Member{n}(email=email)
    session.add(member)
    session.commit()
    return {{"id": member.id}}


@router.post("/members/{{member_id}}/credits")
def add_credits(member_id: int, amount: int, session: Session = Depends(get_session)):
    member = session.get(Member{n}, member_id)
    member.credits = member.credits + amount
    session.commit()


@router.post("/members/{{member_id}}/credits-atomic")
def add_credits_atomic(
    member_id: int,
    amount: int,
    session: Session = Depends(get_session),
    key: str = Header(alias="Idempotency-Key"),
):
    session.execute(
        text("UPDATE m{n}_members SET credits = credits + :amount WHERE id = :id"),
        {{"amount": amount, "id": member_id}},
    )
    session.add(Reservation{n}(item_id=0, member_id=member_id, idempotency_key=key))
    session.commit()


@router.post("/items/{{item_id}}/reserve")
def reserve(
    item_id: int,
    member_id: int,
    session: Session = Depends(get_session),
    key: str = Header(alias="Idempotency-Key"),
):
    return reserve{n}(session, item_id, member_id, key)


@router.post("/items/{{item_id}}/take")
def take(item_id: int, session: Session = Depends(get_session)):
    item = session.execute(
        select(Item{n}).where(Item{n}.id == item_id).with_for_update()
    ).scalar_one()
    if item.stock <= 0:
        raise HTTPException(status_code=409)
    item.stock = item.stock - 1
    session.commit()
'''

SERVICE = '''from fastapi import HTTPException
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.m{n}.models import Item{n}, Member{n}, Reservation{n}


def reserve{n}(session: Session, item_id: int, member_id: int, key: str):
    existing = session.query(Reservation{n}).filter_by(idempotency_key=key).first()
    if existing is not None:
        return {{"id": existing.id}}
    try:
        reservation = Reservation{n}(item_id=item_id, member_id=member_id, idempotency_key=key)
        session.add(reservation)
        result = session.execute(
            update(Item{n})
            .where(Item{n}.id == item_id, Item{n}.stock > 0)
            .values(stock=Item{n}.stock - 1)
        )
        if result.rowcount == 0:
            raise HTTPException(status_code=409, detail="sold out")
        session.commit()
    except IntegrityError:
        session.rollback()
        reservation = session.query(Reservation{n}).filter_by(idempotency_key=key).one()
    return {{"id": reservation.id}}


def publish{n}(session: Session, item_id: int):
    item = session.query(Item{n}).filter(Item{n}.id == item_id).first()
    if item is None or item.status != "draft":
        return False
    session.query(Item{n}).filter_by(id=item_id).update({{"status": "published"}})
    session.commit()
    return True


def restock{n}(session: Session, item_id: int, quantity: int):
    with session.begin():
        item = session.query(Item{n}).filter_by(id=item_id).with_for_update().one()
        item.stock = item.stock + quantity


def archive{n}(session: Session, item_id: int):
    item = session.get(Item{n}, item_id)
    if item.status == "archived":
        return
    item.status = "archived"
    session.commit()
'''

PAYMENTS = '''import stripe
from flask import Blueprint, abort, request
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from app.db import db_session
from app.m{n}.models import Event{n}, Member{n}

bp = Blueprint("m{n}_payments", __name__, url_prefix="/m{n}/payments")


@bp.post("/<int:member_id>/charge")
def charge(member_id):
    member = db_session.get(Member{n}, member_id)
    if member is None:
        abort(404)
    intent = stripe.PaymentIntent.create(amount=request.json["amount"], currency="usd")
    return {{"client_secret": intent.client_secret}}


@bp.post("/<int:member_id>/charge-keyed")
def charge_keyed(member_id):
    key = request.headers.get("Idempotency-Key")
    if not key:
        abort(400)
    intent = stripe.PaymentIntent.create(
        amount=request.json["amount"], currency="usd", idempotency_key=key
    )
    return {{"client_secret": intent.client_secret}}


@bp.post("/webhook")
def webhook():
    event = stripe.Webhook.construct_event(
        request.data, request.headers.get("Stripe-Signature"), "whsec"
    )
    customer = event["data"]["object"]["customer"]
    db_session.execute(
        update(Member{n}).where(Member{n}.email == customer).values(credits=Member{n}.credits + 10)
    )
    db_session.commit()
    return "", 200


@bp.post("/webhook-deduplicated")
def webhook_deduplicated():
    event = stripe.Webhook.construct_event(
        request.data, request.headers.get("Stripe-Signature"), "whsec"
    )
    try:
        db_session.add(Event{n}(event_id=event["id"]))
        db_session.execute(
            update(Member{n})
            .where(Member{n}.email == event["data"]["object"]["customer"])
            .values(credits=Member{n}.credits + 10)
        )
        db_session.commit()
    except IntegrityError:
        db_session.rollback()
    return "", 200
'''


def main():
    out = sys.argv[1]
    modules = int(sys.argv[2])
    for n in range(modules):
        package = os.path.join(out, "app", f"m{n}")
        os.makedirs(package, exist_ok=True)
        parent = f"r{n - 1}" if n else ""
        files = {
            os.path.join(package, "__init__.py"): "",
            os.path.join(package, "models.py"): MODELS.format(n=n),
            os.path.join(package, "router.py"): ROUTER.format(n=n),
            os.path.join(package, "service.py"): SERVICE.format(n=n),
            os.path.join(package, "payments.py"): PAYMENTS.format(n=n),
            os.path.join(out, "alembic", "versions", f"r{n}_module_{n}.py"):
                MIGRATION.format(n=n, parent=parent,
                                 parent_literal=f'"{parent}"' if n else "None"),
        }
        for path, text in files.items():
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)


if __name__ == "__main__":
    main()
