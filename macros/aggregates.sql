{#- Text lists of a group, from one plain list() each. DuckDB plans every DISTINCT or ORDER BY
    aggregate as a grouping of its own, joined back to the others; those groupings are held in memory
    together and do not spill, which is what ran the national build out of memory (int_system_values).
    A plain list() sorted afterwards gives the same text. Covered by tests/unit/test_aggregate_macros.py. #}

{#- string_agg(value, sep ORDER BY order_by) [FILTER (WHERE where)]: NULL values are skipped; NULL when
    no row has a value. Rows with the same order_by come in the order of their values. #}
{% macro joined_in_order(value, sep, order_by, where=none) -%}
array_to_string([x.v for x in list_sort(list({'k': {{ order_by }}, 'v': {{ value }}}){% if where %} filter (where {{ where }}){% endif %})], {{ sep }})
{%- endmacro %}

{#- the distinct values, sorted and joined: NULL when there are none -#}
{% macro joined_distinct(value, sep, where=none) -%}
nullif(array_to_string(list_sort(list_distinct(list({{ value }}){% if where %} filter (where {{ where }}){% endif %})), {{ sep }}), '')
{%- endmacro %}

{#- count(DISTINCT value): NULL is not counted -#}
{% macro count_distinct(value) -%}
len(list_distinct(list({{ value }})))
{%- endmacro %}
