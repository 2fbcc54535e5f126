#!/usr/bin/env python3
"""Writes a synthetic NestJS code base for the TypeScript benchmark.

Each module has a TypeORM entity, a TypeORM service, a Prisma service and a
controller (NestJS), and a Next.js purchase route and Stripe webhook on
supabase-js, in the shapes racelint analyses (racy and fixed ones: checks,
read-modify-writes, transactions, locks, query builders, raw SQL, payments,
webhooks), plus one schema.prisma declaring every module's Prisma model.
About 340 lines a module.
"""
import os
import sys

ENTITY = """import {{ Column, Entity, Index, PrimaryGeneratedColumn, VersionColumn }} from 'typeorm';

@Entity('m{n}_items')
@Index(['sku'], {{ unique: true }})
export class Item{n} {{
  @PrimaryGeneratedColumn()
  id: number;

  @Column()
  sku: string;

  @Column()
  name: string;

  @Column({{ name: 'owner_id' }})
  ownerId: string;

  @Column({{ default: 0 }})
  stock: number;

  @Column({{ default: 'draft' }})
  status: string;

  @Column({{ nullable: true }})
  notes: string;

  @VersionColumn()
  version: number;
}}

@Entity('m{n}_reservations')
export class Reservation{n} {{
  @PrimaryGeneratedColumn()
  id: number;

  @Column({{ name: 'item_id' }})
  itemId: number;

  @Column({{ name: 'user_id' }})
  userId: string;

  @Column({{ default: 1 }})
  quantity: number;
}}
"""

SERVICE = """import {{ ConflictException, Injectable, NotFoundException }} from '@nestjs/common';
import {{ InjectRepository }} from '@nestjs/typeorm';
import {{ DataSource, QueryFailedError, Repository }} from 'typeorm';

@Injectable()
export class ItemsService{n} {{
  constructor(
    @InjectRepository(Item{n}) private readonly items: Repository<Item{n}>,
    @InjectRepository(Reservation{n}) private readonly reservations: Repository<Reservation{n}>,
    private readonly dataSource: DataSource,
  ) {{}}

  async findOne(id: number) {{
    const item = await this.items.findOne({{ where: {{ id }}, relations: {{ reservations: true }} }});
    if (!item) {{
      throw new NotFoundException(`Item ${{id}} not found`);
    }}
    return item;
  }}

  async list(ownerId: string, page = 0) {{
    return this.items.find({{
      where: {{ ownerId, status: 'active' }},
      order: {{ id: 'DESC' }},
      skip: page * 20,
      take: 20,
    }});
  }}

  async create(dto: CreateItemDto) {{
    const existing = await this.items.findOneBy({{ sku: dto.sku }});
    if (existing) {{
      throw new ConflictException(`SKU ${{dto.sku}} exists`);
    }}
    const item = this.items.create({{ sku: dto.sku, name: dto.name, ownerId: dto.ownerId }});
    try {{
      return await this.items.save(item);
    }} catch (error) {{
      if (error instanceof QueryFailedError && error.driverError.code === '23505') {{
        throw new ConflictException(`SKU ${{dto.sku}} exists`);
      }}
      throw error;
    }}
  }}

  async update(id: number, dto: UpdateItemDto) {{
    const item = await this.findOne(id);
    Object.assign(item, dto);
    return this.items.save(item);
  }}

  async updateVersioned(id: number, dto: UpdateItemDto) {{
    const {{ version, ...changes }} = dto;
    const result = await this.items
      .createQueryBuilder()
      .update(Item{n})
      .set(changes)
      .where('id = :id AND version = :version', {{ id, version }})
      .execute();
    if (result.affected === 0) {{
      throw new ConflictException('Item was modified by another user');
    }}
    return this.items.findOneBy({{ id }});
  }}

  async restock(id: number, amount: number) {{
    const item = await this.items.findOneBy({{ id }});
    item.stock = item.stock + amount;
    await this.items.save(item);
  }}

  async restockAtomically(id: number, amount: number) {{
    await this.items.increment({{ id }}, 'stock', amount);
  }}

  async reserve(itemId: number, userId: string, quantity: number) {{
    return this.dataSource.transaction(async (manager) => {{
      const item = await manager.findOne(Item{n}, {{
        where: {{ id: itemId }},
        lock: {{ mode: 'pessimistic_write' }},
      }});
      if (!item || item.stock < quantity) {{
        throw new ConflictException('Not enough stock');
      }}
      item.stock -= quantity;
      await manager.save(item);
      const held = await manager.findOneBy(Reservation{n}, {{ itemId, userId }});
      if (held) {{
        held.quantity += quantity;
        return manager.save(held);
      }}
      return manager.save(manager.create(Reservation{n}, {{ itemId, userId, quantity }}));
    }});
  }}

  async publish(id: number) {{
    const item = await this.findOne(id);
    if (item.status !== 'draft') {{
      throw new ConflictException('Already published');
    }}
    await this.items.update({{ id }}, {{ status: 'active' }});
  }}

  async archive(id: number) {{
    const result = await this.items.update({{ id, status: 'active' }}, {{ status: 'archived' }});
    if (result.affected === 0) {{
      throw new ConflictException('Not active');
    }}
  }}

  async report(ownerId: string) {{
    const [rows, total] = await this.dataSource.query(
      'SELECT status, count(*) FROM m{n}_items WHERE owner_id = $1 GROUP BY status',
      [ownerId],
    );
    return {{ rows, total }};
  }}
}}
"""

PRISMA_SERVICE = """import {{ ConflictException, Injectable }} from '@nestjs/common';
import {{ Prisma }} from '@prisma/client';

@Injectable()
export class OrdersService{n} {{
  constructor(private readonly prisma: PrismaService) {{}}

  async pay(id: string, method: string) {{
    return this.prisma.$transaction(async (tx) => {{
      const [order] = await tx.$queryRaw<Order{n}[]>`SELECT * FROM m{n}_orders WHERE id = ${{id}} FOR UPDATE`;
      if (order.status === 'PAID') {{
        return order;
      }}
      await tx.m{n}Payment.create({{ data: {{ orderId: id, amount: order.total, method }} }});
      return tx.m{n}Order.update({{ where: {{ id }}, data: {{ status: 'PAID', paidAt: new Date() }} }});
    }});
  }}

  async payRacy(id: string, method: string) {{
    const order = await this.prisma.m{n}Order.findUnique({{ where: {{ id }} }});
    if (order.status === 'PAID') {{
      throw new ConflictException('Already paid');
    }}
    await this.prisma.m{n}Payment.create({{ data: {{ orderId: id, amount: order.total, method }} }});
    return this.prisma.m{n}Order.update({{ where: {{ id }}, data: {{ status: 'PAID' }} }});
  }}

  async approve(id: string) {{
    const {{ count }} = await this.prisma.m{n}Order.updateMany({{
      where: {{ id, status: 'PENDING' }},
      data: {{ status: 'APPROVED' }},
    }});
    if (count === 0) {{
      throw new ConflictException('Already decided');
    }}
  }}

  async addPoints(customerId: string, points: number) {{
    return this.prisma.m{n}Customer.update({{
      where: {{ id: customerId }},
      data: {{ points: {{ increment: points }} }},
    }});
  }}

  async rename(customerId: string, name: string, version: number) {{
    const {{ count }} = await this.prisma.m{n}Customer.updateMany({{
      where: {{ id: customerId, version }},
      data: {{ name, version: {{ increment: 1 }} }},
    }});
    if (count === 0) {{
      throw new ConflictException('Customer changed');
    }}
  }}

  async settle(orderId: string, amount: number) {{
    await this.prisma.$transaction(
      [
        this.prisma.m{n}Payment.create({{ data: {{ orderId, amount, method: 'cash' }} }}),
        this.prisma.m{n}Order.update({{ where: {{ id: orderId }}, data: {{ status: 'PAID' }} }}),
      ],
      {{ isolationLevel: Prisma.TransactionIsolationLevel.Serializable }},
    );
  }}
}}
"""

CONTROLLER = """import {{ BadRequestException, Body, Controller, Get, Headers, Param, ParseIntPipe, Patch, Post }} from '@nestjs/common';

@Controller('m{n}/items')
export class ItemsController{n} {{
  constructor(
    private readonly items: ItemsService{n},
    private readonly orders: OrdersService{n},
  ) {{}}

  @Get(':id')
  findOne(@Param('id', ParseIntPipe) id: number) {{
    return this.items.findOne(id);
  }}

  @Post()
  create(@Body() dto: CreateItemDto) {{
    return this.items.create(dto);
  }}

  @Patch(':id')
  update(@Param('id', ParseIntPipe) id: number, @Body() dto: UpdateItemDto) {{
    return this.items.updateVersioned(id, dto);
  }}

  @Post(':id/reservations')
  reserve(
    @Param('id', ParseIntPipe) id: number,
    @Headers('idempotency-key') key: string,
    @Body() dto: ReserveDto,
  ) {{
    if (!key) {{
      throw new BadRequestException('Idempotency-Key required');
    }}
    return this.items.reserve(id, dto.userId, dto.quantity);
  }}

  @Post(':id/restock')
  restock(@Param('id', ParseIntPipe) id: number, @Body() dto: RestockDto) {{
    return this.items.restockAtomically(id, dto.amount);
  }}

  @Patch('orders/:id/pay')
  pay(@Param('id') id: string, @Body() dto: PayDto) {{
    return this.orders.pay(id, dto.method);
  }}
}}
"""

PRISMA_MODEL = """model M{n}Order {{
  id       String   @id @default(uuid())
  total    Int
  status   String   @default("PENDING")
  paidAt   DateTime? @map("paid_at")

  @@map("m{n}_orders")
}}

model M{n}Payment {{
  id      String @id @default(uuid())
  orderId String @map("order_id")
  amount  Int
  method  String

  @@map("m{n}_payments")
}}

model M{n}Customer {{
  id      String @id @default(uuid())
  email   String @unique
  name    String
  points  Int    @default(0)
  version Int    @default(0)

  @@map("m{n}_customers")
}}

"""


NEXT_ROUTE = """import {{ NextRequest, NextResponse }} from 'next/server';
import {{ createClient }} from '@/lib/supabase/server';
import {{ stripe }} from '@/lib/stripe';

export async function POST(request: NextRequest) {{
  const key = request.headers.get('Idempotency-Key');
  const supabase = await createClient();
  const {{ workspaceId, itemIds }} = await request.json();
  const {{ data: credits }} = await supabase
    .from('m{n}_credits')
    .select('balance')
    .eq('workspace_id', workspaceId)
    .single();
  const total = itemIds.length * 10;
  if (!credits || credits.balance < total) {{
    return NextResponse.json({{ error: 'insufficient credits' }}, {{ status: 402 }});
  }}
  await supabase.from('m{n}_credits').update({{ balance: credits.balance - total }}).eq('workspace_id', workspaceId);
  const {{ data: purchase }} = await supabase
    .from('m{n}_purchases')
    .upsert({{ workspace_id: workspaceId, total, idempotency_key: key }}, {{ onConflict: 'idempotency_key', ignoreDuplicates: true }})
    .select()
    .single();
  const session = await stripe.checkout.sessions.create(
    {{ mode: 'payment', client_reference_id: purchase.id, line_items: [] }},
    {{ idempotencyKey: `m{n}-${{purchase.id}}` }},
  );
  return NextResponse.json({{ url: session.url }});
}}

export async function PATCH(request: NextRequest) {{
  const supabase = await createClient();
  const {{ itemId, workspaceId }} = await request.json();
  const {{ data }} = await supabase
    .from('m{n}_items')
    .update({{ status: 'reserved', reserved_by: workspaceId }})
    .eq('id', itemId)
    .eq('status', 'available')
    .select();
  if (!data?.length) return NextResponse.json({{ error: 'taken' }}, {{ status: 409 }});
  return NextResponse.json({{ ok: true }});
}}
"""

NEXT_WEBHOOK = """import {{ createClient }} from '@supabase/supabase-js';
import {{ stripe }} from '@/lib/stripe';

const supabase = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!);

export async function POST(request: Request) {{
  const body = await request.text();
  const signature = request.headers.get('stripe-signature')!;
  const event = stripe.webhooks.constructEvent(body, signature, process.env.STRIPE_WEBHOOK_SECRET!);
  const {{ data: claimed }} = await supabase
    .from('m{n}_processed_events')
    .upsert({{ event_id: event.id }}, {{ onConflict: 'event_id', ignoreDuplicates: true }})
    .select();
  if (!claimed?.length) return new Response('duplicate', {{ status: 200 }});
  await supabase.rpc('m{n}_complete_purchase', {{ p_purchase: event.data.object.client_reference_id }});
  return new Response(null, {{ status: 200 }});
}}
"""


def main():
    out = sys.argv[1]
    modules = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    os.makedirs(os.path.join(out, "prisma"), exist_ok=True)
    with open(os.path.join(out, "prisma", "schema.prisma"), "w") as schema:
        schema.write('datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n\n')
        for n in range(modules):
            schema.write(PRISMA_MODEL.format(n=n))
    for n in range(modules):
        directory = os.path.join(out, "src", f"module{n}")
        os.makedirs(directory, exist_ok=True)
        for name, template in (("item.entity.ts", ENTITY), ("items.service.ts", SERVICE),
                               ("orders.service.ts", PRISMA_SERVICE),
                               ("items.controller.ts", CONTROLLER)):
            with open(os.path.join(directory, name), "w") as f:
                f.write(template.format(n=n))
        for route, template in (("purchase", NEXT_ROUTE), ("webhooks/stripe", NEXT_WEBHOOK)):
            path = os.path.join(out, "src", "app", "api", f"m{n}", route)
            os.makedirs(path, exist_ok=True)
            with open(os.path.join(path, "route.ts"), "w") as f:
                f.write(template.format(n=n))


if __name__ == "__main__":
    main()
