<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CtQcPanel</name>
    <message>
        <source>Import folder…</source>
        <translation>导入文件夹…</translation>
    </message>
    <message>
        <source>Simulate series</source>
        <translation>模拟序列</translation>
    </message>
    <message>
        <source>Phantom</source>
        <translation>体模</translation>
    </message>
    <message>
        <source>Limits</source>
        <translation>限值</translation>
    </message>
    <message>
        <source>Analyse</source>
        <translation>分析</translation>
    </message>
    <message>
        <source>Series (imported / received)</source>
        <translation>序列（导入 / 接收）</translation>
    </message>
    <message>
        <source>Module</source>
        <translation>模块</translation>
    </message>
    <message>
        <source>Click an ROI to see its numbers.</source>
        <translation>点击感兴趣区查看数值。</translation>
    </message>
    <message>
        <source>slice %1 / %2, z %3 mm</source>
        <translation>层 %1 / %2，z %3 mm</translation>
    </message>
    <message>
        <source>at (%1, %2) px, radius %3 px</source>
        <translation>位于 (%1, %2) px，半径 %3 px</translation>
    </message>
    <message>
        <source>limits</source>
        <translation>限值</translation>
    </message>
    <message>
        <source>Choose a series first.</source>
        <translation>请先选择序列。</translation>
    </message>
    <message>
        <source>Import CT series folder</source>
        <translation>导入CT序列文件夹</translation>
    </message>
</context>
<context>
    <name>ArtifactTable</name>
    <message>
        <source>Artifact</source>
        <translation>伪影</translation>
    </message>
    <message>
        <source>Amplitude (HU)</source>
        <translation>幅度 (HU)</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>Verdict</source>
        <translation>判定</translation>
    </message>
</context>
<context>
    <name>QcPlots</name>
    <message>
        <source>MTF (bead)</source>
        <translation>MTF（钨珠）</translation>
    </message>
    <message>
        <source>NPS</source>
        <translation>NPS</translation>
    </message>
    <message>
        <source>measured</source>
        <translation>测量值</translation>
    </message>
    <message>
        <source>identity</source>
        <translation>理想线</translation>
    </message>
    <message>
        <source>uniformity</source>
        <translation>均匀性</translation>
    </message>
    <message>
        <source>ring residual</source>
        <translation>环形残差</translation>
    </message>
    <message>
        <source>MTF / TTF</source>
        <translation>MTF / TTF</translation>
    </message>
    <message>
        <source>frequency</source>
        <translation>频率</translation>
    </message>
    <message>
        <source>Noise power spectrum</source>
        <translation>噪声功率谱</translation>
    </message>
    <message>
        <source>CT-number linearity</source>
        <translation>CT值线性</translation>
    </message>
    <message>
        <source>nominal</source>
        <translation>标称值</translation>
    </message>
    <message>
        <source>Radial profiles</source>
        <translation>径向剖面</translation>
    </message>
    <message>
        <source>radius</source>
        <translation>半径</translation>
    </message>
    <message>
        <source>deviation</source>
        <translation>偏差</translation>
    </message>
</context>
<context>
    <name>TrendView</name>
    <message>
        <source>Scanner serial</source>
        <translation>设备序列号</translation>
    </message>
    <message>
        <source>Measurement</source>
        <translation>测量项</translation>
    </message>
    <message numerus="yes">
        <source>%n result(s)</source>
        <translation>
            <numerusform>%n 个结果</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>QcResultTabs</name>
    <message>
        <source>Measurements</source>
        <translation>测量结果</translation>
    </message>
    <message>
        <source>Artifacts</source>
        <translation>伪影</translation>
    </message>
    <message>
        <source>Plots</source>
        <translation>曲线</translation>
    </message>
    <message>
        <source>Trend</source>
        <translation>趋势</translation>
    </message>
    <message>
        <source>CT number</source>
        <translation>CT值</translation>
    </message>
    <message>
        <source>uniformity</source>
        <translation>均匀性</translation>
    </message>
    <message>
        <source>noise</source>
        <translation>噪声</translation>
    </message>
    <message>
        <source>NPS</source>
        <translation>噪声功率谱</translation>
    </message>
    <message>
        <source>linearity</source>
        <translation>线性</translation>
    </message>
    <message>
        <source>slice thickness</source>
        <translation>层厚</translation>
    </message>
    <message>
        <source>geometry</source>
        <translation>几何</translation>
    </message>
    <message>
        <source>low contrast</source>
        <translation>低对比度</translation>
    </message>
    <message>
        <source>resolution</source>
        <translation>分辨率</translation>
    </message>
    <message>
        <source>dose</source>
        <translation>剂量</translation>
    </message>
    <message>
        <source>detectability</source>
        <translation>可检测性</translation>
    </message>
</context>
</TS>
