"""Move foreign keys that close a cycle between tables (declared with use_alter=True in the
models) out of `create_table` into `create_foreign_key` calls after every table exists, so the
initial migration runs on PostgreSQL as well as SQLite."""

import re
import sys

from app import create_app
from app.db import db

path = sys.argv[1]
source = open(path).read()
create_app()
alter = []
for table in db.metadata.sorted_tables:
    for fk in table.foreign_key_constraints:
        if fk.use_alter:
            alter.append((table.name, fk))

added_up, added_down = [], []
for table_name, fk in alter:
    name = fk.name
    pattern = re.compile(r"\n\s*sa\.ForeignKeyConstraint\([^\n]*name=op\.f\('" + re.escape(name) + r"'\)[^\n]*\),")
    source, n = pattern.subn("", source)
    if n != 1:
        sys.exit(f"could not find {name} in {path}")
    local = fk.columns.keys()[0]
    remote = fk.elements[0].column
    ondelete = f", ondelete={fk.ondelete!r}" if fk.ondelete else ""
    added_up.append(
        f"    with op.batch_alter_table({table_name!r}, schema=None) as batch_op:\n"
        f"        batch_op.create_foreign_key(batch_op.f({name!r}), {remote.table.name!r}, "
        f"[{local!r}], [{remote.name!r}]{ondelete})\n"
    )
    added_down.append(
        f"    with op.batch_alter_table({table_name!r}, schema=None) as batch_op:\n"
        f"        batch_op.drop_constraint(batch_op.f({name!r}), type_='foreignkey')\n"
    )

up_end = source.index("    # ### end Alembic commands ###", source.index("def upgrade"))
source = source[:up_end] + "".join(added_up) + source[up_end:]
down_start = source.index("\n", source.index("def downgrade")) + 1
down_body_start = source.index("\n", down_start) + 1  # after the '# ### commands' line
source = source[:down_body_start] + "".join(added_down) + source[down_body_start:]
open(path, "w").write(source)
