{#- Incremental models are rebuilt park by park: a build recomputes the parks whose figures changed
    (build.changed_parks: new files, files rejected after loading, quarantine decisions) and
    replaces exactly their rows. A park whose rows all disappear (a quarantined or rejected file)
    loses them too, which a delete keyed on the new rows alone would miss. -#}
{% macro get_incremental_replace_parks_sql(arg_dict) %}
    {%- set cols = get_quoted_csv(arg_dict["dest_columns"] | map(attribute="name")) -%}
    delete from {{ arg_dict["target_relation"] }}
    where park_name in (select park_name from {{ ref('changed_parks') }});
    insert into {{ arg_dict["target_relation"] }} ({{ cols }})
    select {{ cols }} from {{ arg_dict["temp_relation"] }}
{% endmacro %}

{#- The filter an incremental model applies to its input: only the changed parks. -#}
{% macro changed_parks_only(column='park_name') -%}
    {%- if is_incremental() -%}
    {{ column }} in (select park_name from {{ ref('changed_parks') }})
    {%- else -%}
    true
    {%- endif -%}
{%- endmacro %}

{#- A name as a key: one Unicode form (NFC), full-width forms to ASCII (what NFKC does to them),
    whitespace and invisible characters (zero-width space, joiners, BOM, soft hyphen) removed, so that
    '张家港经开区 ', '　张家港经开区', a full-width bracket or a pasted zero-width space are one park. -#}
{% macro name_key(expr) -%}
    regexp_replace(translate(nfc_normalize({{ expr }}),
        '　！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～',
        ' !"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'),
        '[\s\x{200B}\x{200C}\x{200D}\x{2060}\x{FEFF}\x{00AD}]', '', 'g')
{%- endmacro %}

{#- The loads (load_seq) of the files this run loaded. Cells are stored in load order: a filter on
    these first lets DuckDB skip every row group of earlier loads. -#}
{% macro night_loads() -%}
    (select f.load_seq from {{ source('audit', 'files') }} f
     where f.file_sha256 in (select file_sha256 from {{ source('build', 'pending_files') }} where reason = 'loaded'))
{%- endmacro %}
