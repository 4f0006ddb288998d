{#- What a data test reads of the model it tests. A model rebuilt park by park (incremental_strategy
    'replace_parks') changed only in the parks of build.changed_parks: its tests read those parks'
    rows, so a night with one form tests that park, not the country. Every key of such a model
    holds the park (or the file, which belongs to one park), so no repeat is missed. On a full or a
    system rebuild every park is in changed_parks and the tests read everything. A test's own
    `where` still applies. The relation is looked up in the graph, not ref'd: a ref would make
    every test depend on changed_parks and select it on every night. -#}
{% macro duckdb__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}{%- do conditions.append('(' ~ where ~ ')') -%}{%- endif -%}
    {%- if execute and model.attached_node -%}
        {%- set node = graph.nodes.get(model.attached_node) -%}
        {%- set changed = graph.nodes.get('model.' ~ project_name ~ '.changed_parks') -%}
        {%- if node and changed and node.config.get('incremental_strategy') == 'replace_parks' -%}
            {%- do conditions.append('park_name in (select park_name from ' ~ changed.relation_name ~ ')') -%}
        {%- endif -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
