{#- Our own generic tests (no dbt_utils offline). Each returns the failing rows. -#}

{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as n
from {{ model }}
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
