{#- Indicator systems are data: one folder per system under seeds/, its files named
    <system_code>__indicators.csv, __components.csv, __formulas.csv, __verdict.csv and, where a
    system needs them, __thresholds.csv, __component_terms.csv, __groups.csv, __grades.csv. The build lists
    the folders it finds (var indicator_systems) and the optional files present (var
    system_seed_files), so adding a system is adding a folder. -#}
{% macro system_seeds(kind, empty=none) -%}
    {%- set parts = [] -%}
    {%- for system in var('indicator_systems') -%}
        {%- set name = system ~ '__' ~ kind -%}
        {%- if name in var('system_seed_files', []) or kind in ('indicators', 'components', 'formulas', 'verdict') -%}
            {%- do parts.append('select * from ' ~ ref(name)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if parts -%}{{ parts | join('\nunion all by name\n') }}{%- else -%}{{ empty }}{%- endif -%}
{%- endmacro %}

{#- The seeds of one kind with columns a system may leave out: every column of `columns` (name: type)
    exists, NULL where a system's file does not have it. -#}
{% macro system_seeds_with(kind, columns, empty=none) -%}
    select * from ({{ system_seeds(kind, empty) }})
    union all by name
    select {% for name, type in columns.items() %}null::{{ type }} as {{ name }}{{ ", " if not loop.last }}{% endfor %}
    where false
{%- endmacro %}
