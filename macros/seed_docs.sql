{#- A system added as CSV files only still publishes documented reference tables: after a seed of an
    indicator system loads, every table and column its YAML does not describe gets the generic
    description of its kind (docs/indicator_systems.md), so BI tools never show a blank. -#}
{% macro describe_system_seed() %}
    {%- set kinds = {
        'indicators': 'the indicators of the system',
        'components': 'where each component is found',
        'component_terms': 'the terms of each derived component',
        'formulas': 'the formula of each computed indicator',
        'thresholds': 'the threshold rules with their conditions',
        'verdict': 'the rules that turn indicators into a verdict',
        'groups': 'the groups of indicators (k of n, index weights)',
        'grades': 'the grade bands of the score'} -%}
    {%- set columns = {
        'system_code': '指标体系 the system code (the folder name).',
        'indicator_code': '指标代码 the indicator code within its system.',
        'seq_no': '序号 the number in the system table.',
        'category': '分类 the category.',
        'indicator_name': '指标 the name.',
        'unit': '单位 the unit.',
        'role': '类型 mandatory, optional, core, guidance, member, scored or ranked.',
        'judged_on': '判定依据 formula or reported.',
        'clean_production_star': '清洁生产标注 judged against the clean-production standard when one industry dominates.',
        'group_code': '指标组 the group the indicator belongs to.',
        'points': '分值 points towards the score.',
        'points_rule': '计分规则 all_or_nothing or proportional.',
        'weight': '权重 the weight in a composite index.',
        'direction': '方向 higher or lower is better.',
        'benchmark': '基准值 the reference of ratio_to_benchmark.',
        'component_code': '分项代码 the component code.',
        'found_in': '来源类型 form, statistics or derived.',
        'label': '名称 the label the component has in forms or statistics.',
        'term': '构成项 a component the derived one sums.',
        'coefficient': '系数 the weight of the term.',
        'kind': '公式类型 ratio, growth, growth_of_ratio, elasticity, reduction or reported.',
        'numerator': '分子 components summed with + (a trailing ? counts a missing one as 0; | lists members).',
        'denominator': '分母 components summed with +.',
        'reference': '参照年 base or year.',
        'numerator_unit': '分子单位 the unit the numerator is converted into first.',
        'multiplier': '倍数 100 for a percentage.',
        'condition': '条件 always, region_class, driver_growth, component_range or dominant_industry.',
        'condition_value': '条件值 what the condition compares with.',
        'lower': '下限 the range lower bound (inclusive).',
        'upper': '上限 the range upper bound (exclusive).',
        'comparator': '比较 >=, >, <=, <, =, marker, none or external.',
        'threshold': '阈值 the requirement number.',
        'pass_markers': '达标标记 words that meet the requirement, |-separated.',
        'fail_markers': '未达标标记 words that fail it, |-separated.',
        'or_trend': '或持续改善 previous or period: an improvement also passes.',
        'rule': '规则 the rule (docs/indicator_systems.md).',
        'parameter': '参数 the rule parameter.',
        'group_name': '组名 the group name.',
        'min_pass': '至少达标数 k: the group passes when at least k members pass.',
        'grade': '等级 the grade.',
        'min_score': '最低分 the score the grade starts at.',
        'passes': '是否通过 whether the grade is a pass.',
        'source': '来源 where the row comes from.'} -%}
    {%- set kind = this.identifier.split('__')[-1] if '__' in this.identifier else none -%}
    {%- if execute and kind in kinds -%}
        {%- set existing = run_query("select column_name, coalesce(comment, '') from duckdb_columns() where schema_name = '"
                                     ~ this.schema ~ "' and table_name = '" ~ this.identifier ~ "'") -%}
        {%- set table = run_query("select coalesce(comment, '') from duckdb_tables() where schema_name = '"
                                  ~ this.schema ~ "' and table_name = '" ~ this.identifier ~ "'") -%}
        {%- if table.rows and table.rows[0][0] == '' -%}
            {%- do run_query("comment on table " ~ this ~ " is '" ~ this.identifier.split('__')[0] ~ ": "
                             ~ kinds[kind] ~ " (see docs/indicator_systems.md)'") -%}
        {%- endif -%}
        {%- for row in existing.rows if row[1] == '' and row[0] in columns -%}
            {%- do run_query("comment on column " ~ this ~ "." ~ adapter.quote(row[0]) ~ " is '" ~ columns[row[0]] ~ "'") -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
