{#- The words of targets (seed target_phrases) as SQL: an alternation of one kind's phrases for a
    regular expression, longest first (so that 不低于 is tried before 低于, 超过 before 超). The
    phrases are words, not patterns. -#}
{% macro phrases(kind, comparator=none) -%}
    (select '(' || string_agg(phrase, '|' order by length(phrase) desc, phrase) || ')'
     from {{ ref('target_phrases') }} where kind = '{{ kind }}'
     {%- if comparator is not none %} and comparator = '{{ comparator }}'{% endif %})
{%- endmacro %}

{#- The character class of the range separators (30-32, 30至32); '-' goes last, where it is itself. -#}
{% macro range_separators() -%}
    (select '[' || string_agg(phrase, '' order by phrase) filter (where phrase <> '-')
            || case when bool_or(phrase = '-') then '-' else '' end || ']'
     from {{ ref('target_phrases') }} where kind = 'range_separator')
{%- endmacro %}
