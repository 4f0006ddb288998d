{#- Our own generic tests (no dbt_utils offline). Each returns the failing rows. -#}

{% test unique_combination(model, columns) %}
-- Grouped on one 64-bit hash of the key first: a national table's keys are millions of strings, and
-- a hash table of strings does not fit the build's memory cap beside a model running in parallel.
-- Only rows whose hash repeats are then grouped on the key itself, so a hash collision is never
-- reported and the failing rows still name their key.
with repeated as (
    select hash({{ columns | join(', ') }}) as h
    from {{ model }}
    group by 1
    having count(*) > 1
)
select {{ columns | join(', ') }}, count(*) as n
from {{ model }}
where hash({{ columns | join(', ') }}) in (select h from repeated)
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}

{% test between(model, column_name, min_value=none, max_value=none) %}
select * from {{ model }}
where {{ column_name }} is not null
  and ({% if min_value is not none %}{{ column_name }} < {{ min_value }}{% else %}false{% endif %}
       or {% if max_value is not none %}{{ column_name }} > {{ max_value }}{% else %}false{% endif %})
{% endtest %}

{% test expression_true(model, expression) %}
select * from {{ model }} where not coalesce(({{ expression }}), true)
{% endtest %}

{#- A unit table whose every standard unit converts into itself with factor 1: then every unit of a
    family has a factor, and a figure is converted by one multiplication into the standard unit and
    one division into the series' display unit (indicator_trends). A unit without a row is a family
    of its own. -#}
{% test standard_units_are_their_own(model) %}
select distinct c.standard_unit
from {{ model }} c
where not exists (select 1 from {{ model }} i
                  where i.unit = c.standard_unit and i.standard_unit = c.standard_unit and i.factor = 1)
{% endtest %}
