"""Small database helpers every app may use, on PostgreSQL and SQLite alike."""

from django.db.models import Aggregate, CharField


class GroupConcat(Aggregate):
    """The values of a group joined into one string with `,` (STRING_AGG on PostgreSQL,
    GROUP_CONCAT on SQLite): to bring a few related rows back inside another query."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s(%(expressions)s, ',')",
        )
