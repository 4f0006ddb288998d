{#- Indicator systems are data: one folder per system under seeds/, its files named
    <system_code>__indicators.csv, __components.csv, __component_terms.csv, __formulas.csv,
    __thresholds.csv, __verdict.csv. The build lists the folders it finds (var indicator_systems), so
    adding a system is adding a folder. A kind a system does not need may be left out. -#}
{% macro system_seeds(kind, empty=none) -%}
    {%- set parts = [] -%}
    {%- for system in var('indicator_systems') -%}
        {%- set name = system ~ '__' ~ kind -%}
        {%- if name in var('system_seed_files', []) or kind in ('indicators', 'components', 'formulas', 'thresholds', 'verdict') -%}
            {%- do parts.append('select * from ' ~ ref(name)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if parts -%}{{ parts | join('\nunion all by name\n') }}{%- else -%}{{ empty }}{%- endif -%}
{%- endmacro %}

{#- Split 'a+b?' into its components: '+' sums them, a trailing '?' counts a missing one as 0;
    '|' lists members judged each on their own (the worst one is the value). -#}
{% macro formula_terms(expr) -%}
    unnest(string_split(regexp_replace(coalesce({{ expr }}, ''), '\s', '', 'g'), '+'))
{%- endmacro %}
