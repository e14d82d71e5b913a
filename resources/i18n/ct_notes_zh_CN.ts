<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>EngineNotes</name>
    <message>
        <location filename="../../app/ct/note_table.py" line="41"/>
        <location filename="../../app/ct/note_table.py" line="78"/>
        <location filename="../../app/ct/note_table.py" line="306"/>
        <source>%1</source>
        <translation>%1</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="44"/>
        <source>; %1</source>
        <translation>；%1</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="48"/>
        <source>%1 non-image / non-DICOM file(s) skipped</source>
        <translation>已跳过 %1 个非图像 / 非 DICOM 文件</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="51"/>
        <source>uneven slice spacing %1..%2 mm</source>
        <translation>层间距不均匀：%1..%2 mm</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="55"/>
        <source>%1: could not be measured (%2)</source>
        <translation>%1：无法测量（%2）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="58"/>
        <source>%1 failed: %2</source>
        <translation>%1 失败：%2</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="61"/>
        <source>modules not in the series: %1</source>
        <translation>序列中缺少的模块：%1</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="64"/>
        <source>low localisation confidence for %1; its measurements are kept, read them with care</source>
        <translation>定位置信度低：%1；其测量结果予以保留，请谨慎解读</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="68"/>
        <source>%1 (%2: the image there differs from the definition - body CT number or inserts)</source>
        <translation>%1（%2：该处图像与体模定义不符 - 本体 CT 值或插件）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="72"/>
        <source>pixel values are not HU (%1); the phantom is located and measured on an HU-equivalent scale taken from the image (air -&gt; -1000, body -&gt; its nominal: HU-eq = %2 x value %3); CT-number checks are not applicable</source>
        <translation>像素值不是 HU（%1）；体模按取自图像的 HU 等效标尺定位和测量（空气 -&gt; -1000，本体 -&gt; 其标称值：HU 等效值 = %2 x 像素值 %3）；CT 值检查不适用</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="81"/>
        <source>RescaleType %1</source>
        <translation>RescaleType 为 %1</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="84"/>
        <source>air reads %1, the phantom body %2</source>
        <translation>空气读数 %1，体模本体 %2</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="87"/>
        <source>not applicable: the pixel values are not HU (%1)</source>
        <translation>不适用：像素值不是 HU（%1）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="90"/>
        <source>; reads %1 on the image-derived HU-equivalent scale</source>
        <translation>；在取自图像的 HU 等效标尺上读数为 %1</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="95"/>
        <source>Limited by the profile but not measured (the result cannot read PASS): %1</source>
        <translation>限值方案要求但本序列未能测量（结果不能判为合格）：%1</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="99"/>
        <source>module %1 not in the series</source>
        <translation>序列中缺少模块 %1</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="103"/>
        <source>nominal %1 HU; crossed by a streak (see artifacts): not measured</source>
        <translation>标称值 %1 HU；被条纹伪影穿过（见伪影）：未测量</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="107"/>
        <source>nominal %1 HU, SD %2, SE %3</source>
        <translation>标称值 %1 HU，SD %2，标准误 %3</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="110"/>
        <source>centre of the uniform module %1 (%2, nominal %3 HU), SE %4</source>
        <translation>均匀性模块 %1 中心（%2，标称值 %3 HU），标准误 %4</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="115"/>
        <source>no uniformity module in the series</source>
        <translation>序列中没有均匀性模块</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="117"/>
        <source>no uniformity module in the series (missing %1)</source>
        <translation>序列中没有均匀性模块（缺少 %1）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="120"/>
        <source>the ROI lies on a streak (see artifacts): not measured</source>
        <translation>该 ROI 位于条纹伪影上（见伪影）：未测量</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="122"/>
        <source>the centre ROI lies on a streak (see artifacts): not measured</source>
        <translation>中心 ROI 位于条纹伪影上（见伪影）：未测量</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="125"/>
        <source>edge minus centre, worst at %1 (SE %2)</source>
        <translation>边缘减中心，最大偏差位于%1侧（标准误 %2）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="128"/>
        <source>5 mm rings minus the central 15 mm disc, largest at %1 mm (SE %2, %3 rings)</source>
        <translation>5 mm 环减中心 15 mm 圆盘，最大值在 %1 mm 处（标准误 %2，共 %3 个环）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="132"/>
        <source>mean of per-slice SDs in %1</source>
        <translation>%1 内逐层 SD 的平均值</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="135"/>
        <source>mean of per-slice SDs in the centre ROI over %1 image(s)</source>
        <translation>中心 ROI 在 %1 幅图像上逐层 SD 的平均值</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="139"/>
        <source>no uniformity module</source>
        <translation>没有均匀性模块</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="141"/>
        <source>(max - min) SD of 5 ROIs / centre SD</source>
        <translation>5 个 ROI 的 SD（最大 - 最小）/ 中心 SD</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="143"/>
        <source>%1 ROIs of %2x%3 px, 2nd-order detrended; integral SD %4 HU</source>
        <translation>%1 个 %2x%3 px 的 ROI，二阶去趋势；积分 SD %4 HU</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="148"/>
        <source>resolution module not in the series (%1)</source>
        <translation>序列中缺少分辨率模块（%1）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="151"/>
        <source>%1; no high-contrast edge either</source>
        <translation>%1；也没有高对比度边缘</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="154"/>
        <source>circular edge of %1 (%2)</source>
        <translation>%1 的圆形边缘（%2）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="157"/>
        <source>circular edge of %1 (%2 for a point-spread MTF)</source>
        <translation>%1 的圆形边缘（%2，无法求点扩散 MTF）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="160"/>
        <source>%1 PSF, %2 image(s), %3</source>
        <translation>%1 PSF，%2 幅图像，%3</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="163"/>
        <source>Gaussian PSF fit (SNR %1)</source>
        <translation>高斯 PSF 拟合（SNR %1）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="166"/>
        <source>bead %1; informative: %2</source>
        <translation>小珠 %1；仅供参考：%2</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="169"/>
        <source>%1 lp/cm</source>
        <translation>%1 lp/cm</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="172"/>
        <source>%1; above the highest frequency this matrix samples (%2 lp/cm)</source>
        <translation>%1；高于此矩阵可采样的最高频率（%2 lp/cm）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="176"/>
        <source>circular edge, contrast %1 HU</source>
        <translation>圆形边缘，对比度 %1 HU</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="179"/>
        <source>%1 lp/cm modulation (Droege-Morin), visible &gt;= %2</source>
        <translation>%1 lp/cm 调制度（Droege-Morin 法），可见阈值 &gt;= %2</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="182"/>
        <source>highest bar pattern visible (all lower ones visible)</source>
        <translation>可见的最高线对组（其下各组均可见）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="185"/>
        <source>ramp module %1 not in the series</source>
        <translation>序列中缺少斜坡模块 %1</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="188"/>
        <source>unreliable: %1 - see artifacts</source>
        <translation>不可靠：%1 - 见伪影</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="191"/>
        <source>FWHM x tan(ramp angle), %1 ramp(s) x %2 slice(s)</source>
        <translation>FWHM x 斜坡角正切，%1 条斜坡 x %2 层</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="194"/>
        <source>, in-plane blur %1 mm removed by a %2 model fit</source>
        <translation>，已用%2模型拟合去除 %1 mm 的层内模糊</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="197"/>
        <source>trapezoid SSP (helical), fitted edge %1 x FWHM</source>
        <translation>梯形 SSP（螺旋扫描），拟合边沿 %1 x FWHM</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="200"/>
        <source>trapezoid SSP (helical, pitch %1), fitted edge %2 x FWHM</source>
        <translation>梯形 SSP（螺旋扫描，螺距 %1），拟合边沿 %2 x FWHM</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="204"/>
        <source>; excluded: %1</source>
        <translation>；已排除：%1</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="207"/>
        <source>; %1 streaked slice(s) skipped</source>
        <translation>；已跳过 %1 个有条纹伪影的层</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="210"/>
        <source>ramp %1: %2</source>
        <translation>斜坡 %1：%2</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="213"/>
        <source>ramp %1: direct half-maximum width (thick slice; model fit %2)</source>
        <translation>斜坡 %1：直接取半高宽（厚层；模型拟合%2）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="217"/>
        <source>%1 ramp(s) disagree with the others</source>
        <translation>%1 条斜坡与其他斜坡不一致</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="221"/>
        <source>unreliable: nodes not found or crossed by a streak - see artifacts</source>
        <translation>不可靠：未找到孔点或被条纹伪影穿过 - 见伪影</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="224"/>
        <source>%1 distance(s) between %2, nominal %3 mm</source>
        <translation>%2之间的 %1 个距离，标称值 %3 mm</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="227"/>
        <source>; %1 excluded (streak / low contrast)</source>
        <translation>；已排除 %1 个（条纹伪影 / 对比度低）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="230"/>
        <source>no clear background position beside the disc</source>
        <translation>圆盘旁没有干净的背景位置</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="232"/>
        <source>%1: |%2 - %3| / %4; background ROI at (%5, %6) px</source>
        <translation>%1：|%2 - %3| / %4；背景 ROI 位于 (%5, %6) px</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="237"/>
        <source>needs NPS and TTF/MTF (modules missing)</source>
        <translation>需要 NPS 和 TTF/MTF（缺少模块）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="239"/>
        <source>needs NPS and TTF/MTF (not measured)</source>
        <translation>需要 NPS 和 TTF/MTF（未测得）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="241"/>
        <source>NPW, %1 mm disc, %2 HU, %3 + NPS</source>
        <translation>NPW 模型观察者，%1 mm 圆盘，%2 HU，%3 + NPS</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="245"/>
        <source>TTF %1</source>
        <translation>TTF %1</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="248"/>
        <source>CTDIvol from the DICOM header</source>
        <translation>CTDIvol 取自 DICOM 文件头</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="251"/>
        <source>radial profile of the uniform module</source>
        <translation>均匀性模块的径向剖面</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="253"/>
        <source>central interquartile mean HU per slice minus running median along z</source>
        <translation>每层中心四分位间均值 HU 减去沿 z 向的滑动中位数</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="256"/>
        <source>median deviation of the water-like and soft-tissue inserts</source>
        <translation>类水和软组织插件偏差的中位数</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="259"/>
        <source>polar analysis about the reconstruction centre, strongest in %1 (slices %2-%3); channel from %4</source>
        <translation>以重建中心为原点的极坐标分析，在 %1 中最强（第 %2-%3 层）；通道号依据 %4</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="264"/>
        <source>directional energy of the high-pass residual; angle of the streak lines (image angle from +x towards +y, mod 180); amplitude at the peak of the across-line profile</source>
        <translation>高通残差的方向能量；条纹走向角（图像角度，自 +x 转向 +y，模 180）；幅度取横截剖面的峰值</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="269"/>
        <source>pixel size unknown: a %1 mm field of view was assumed (%2 mm)</source>
        <translation>像素尺寸未知：按 %1 mm 视野估算（%2 mm）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="273"/>
        <source>AI not applicable to this series (%1): the physics decides alone</source>
        <translation>AI 不适用于此序列（%1）：由物理检测单独判定</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="277"/>
        <source>metal in the field: %1 mm² above %2 HU</source>
        <translation>视野内有金属：%1 mm² 超过 %2 HU</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="280"/>
        <source>%1 (%2 of %3 slices)</source>
        <translation>%1（%3 层中有 %2 层）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="279"/>
        <source>pixel size %1 mm is outside %2..%3 mm</source>
        <translation>像素尺寸 %1 mm 超出 %2..%3 mm</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="279"/>
        <source>no phantom body in the slice</source>
        <translation>该层中没有体模本体</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="279"/>
        <source>no phantom of %1..%2 mm diameter (the body measures %3 mm)</source>
        <translation>没有直径 %1..%2 mm 的体模（本体测得 %3 mm）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="279"/>
        <source>the body is not round (reaches %1 mm from its centre, a disc of its area %2 mm): not a cylindrical phantom</source>
        <translation>本体不是圆形（距其中心最远 %1 mm，同面积圆盘半径 %2 mm）：不是圆柱形体模</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="279"/>
        <source>the phantom is cut by the field of view</source>
        <translation>体模被视野截断</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="279"/>
        <source>the body is elliptical (axes %1 x %2 mm): not a cylindrical phantom</source>
        <translation>本体为椭圆形（轴长 %1 x %2 mm）：不是圆柱形体模</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="279"/>
        <source>a dense shell inside the body&apos;s edge (%1 HU over the body, like a skull): not a QC phantom the AI knows</source>
        <translation>本体边缘内侧有高密度外壳（相对本体 %1 HU，类似颅骨）：不是 AI 认识的质控体模</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="279"/>
        <source>no air around the phantom in the field of view</source>
        <translation>视野中体模周围没有空气</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="279"/>
        <source>the noise could not be measured</source>
        <translation>无法测量噪声</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="279"/>
        <source>noise SD %1 HU is beyond any CT scan of a phantom</source>
        <translation>噪声 SD %1 HU 超出任何体模 CT 扫描的范围</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="279"/>
        <source>the phantom&apos;s outer edge could not be measured</source>
        <translation>无法测量体模外缘</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="279"/>
        <source>the slice is unlike any phantom slice the AI was trained and calibrated on (anomaly %1 &gt; %2)</source>
        <translation>该层与 AI 训练和校准所用的任何体模层都不相似（异常分数 %1 &gt; %2）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="279"/>
        <source>the slice is unlike any phantom slice the AI was trained and calibrated on</source>
        <translation>该层与 AI 训练和校准所用的任何体模层都不相似</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="320"/>
        <source>AI check failed: %1</source>
        <translation>AI 检查失败：%1</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="320"/>
        <source>AI check cancelled</source>
        <translation>AI 检查已取消</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="320"/>
        <source>AI check unavailable</source>
        <translation>AI 检查不可用</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="320"/>
        <source>no model registry</source>
        <translation>未配置模型库</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="320"/>
        <source>No model registry is configured.</source>
        <translation>未配置模型库。</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="320"/>
        <source>AI not applicable: %1</source>
        <translation>AI 不适用：%1</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="320"/>
        <source>AI class &apos;%1&apos; (%2)</source>
        <translation>AI 类别“%1”（置信度 %2）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="320"/>
        <source>low confidence (%1 &lt; %2)</source>
        <translation>置信度低（%1 &lt; %2）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="320"/>
        <source>ring at the phantom&apos;s edge measured: r %1 mm, %2 HU, z %3 (physics rule)</source>
        <translation>体模边缘处测得环形伪影：半径 %1 mm，%2 HU，z %3（物理规则）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="320"/>
        <source>%1 slice(s) called ring by the network without a measurable ring (ring evidence z below %2 over the full circle and %3 over any half): counted normal</source>
        <translation>%1 层被网络判为环形伪影，但测不到环（环形证据 z 整圈低于 %2、任一半圈低于 %3）：按正常计</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="320"/>
        <source>%1 slice(s) called band by the network whose central-disc levels show no band (no one- or two-slice run comes within %3 standard errors of %2 HU outside its neighbours&apos; levels): counted normal</source>
        <translation>%1 层被网络判为带状伪影，但中心圆盘 CT 值测不到带（没有任何一层或两层的区段超出相邻层水平达到 %2 HU 减 %3 个标准误）：按正常计</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="320"/>
        <source>%1 slice(s) called shift by the network whose air level and uniformity show no shift (air offset and cupping both below %2 HU): counted normal</source>
        <translation>%1 层被网络判为 CT 值偏移，但空气 CT 值和均匀性测不到偏移（空气偏移与杯状伪影均低于 %2 HU）：按正常计</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="320"/>
        <source>%1 slice(s) called streak by the network on which no streak measure (line sums or directional spectrum, one or three slices) reaches what %2 % of the model&apos;s training normals stay below: counted normal</source>
        <translation>%1 层被网络判为条纹伪影，但任何条纹测量（线积分或方向频谱，单层或 3 层）都未达到模型训练正常层 %2 % 所低于的水平：按正常计</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="320"/>
        <source>%1 slice(s) called normal by the network whose streak spectrum is beyond any non-streak slice the model was trained on (3-slice spectrum z above %2): judged streak</source>
        <translation>%1 层被网络判为正常，但其条纹频谱超过模型训练时任何非条纹层（3 层频谱 z 值高于 %2）：按条纹伪影判定</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="320"/>
        <source>%1 slice(s) unlike the training data, called noise by the network with a measured noise SD of at least %2 HU (the class&apos;s own measure): judged noise</source>
        <translation>%1 层与训练数据不同，但网络判为噪声且实测噪声标准差不低于 %2 HU（该类别本身的判据）：按噪声判定</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="320"/>
        <source>anomaly score %1 fits no class</source>
        <translation>异常分数 %1：不属于任何类别</translation>
    </message>
    <message>
        <location filename="../../app/ct/progress_words.py" line="22"/>
        <source>reading images</source>
        <translation>读取图像</translation>
    </message>
    <message>
        <location filename="../../app/ct/progress_words.py" line="22"/>
        <source>locating the phantom</source>
        <translation>定位体模</translation>
    </message>
    <message>
        <location filename="../../app/ct/progress_words.py" line="22"/>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../app/ct/progress_words.py" line="22"/>
        <source>AI check</source>
        <translation>AI 检查</translation>
    </message>
    <message>
        <location filename="../../app/ct/progress_words.py" line="22"/>
        <source>inference</source>
        <translation>AI 推理</translation>
    </message>
    <message>
        <location filename="../../app/ct/progress_words.py" line="22"/>
        <source>writing the PDF report</source>
        <translation>生成 PDF 报告</translation>
    </message>
    <message>
        <location filename="../../app/ct/progress_words.py" line="22"/>
        <source>report written</source>
        <translation>报告已生成</translation>
    </message>
    <message>
        <location filename="../../app/ct/progress_words.py" line="22"/>
        <source>sending to the PACS</source>
        <translation>发送到 PACS</translation>
    </message>
    <message>
        <location filename="../../app/ct/progress_words.py" line="22"/>
        <source>validating files</source>
        <translation>校验文件</translation>
    </message>
    <message>
        <location filename="../../app/ct/progress_words.py" line="22"/>
        <source>importing</source>
        <translation>导入中</translation>
    </message>
    <message>
        <location filename="../../app/ct/progress_words.py" line="22"/>
        <source>pushed</source>
        <translation>已推送</translation>
    </message>
    <message>
        <location filename="../../app/ct/progress_words.py" line="22"/>
        <source>adding noise</source>
        <translation>添加噪声</translation>
    </message>
    <message>
        <location filename="../../app/ct/progress_words.py" line="22"/>
        <source>simulation done</source>
        <translation>模拟完成</translation>
    </message>
    <message>
        <location filename="../../app/ct/progress_words.py" line="22"/>
        <source>rendering slice %1/%2</source>
        <translation>渲染第 %1/%2 层</translation>
    </message>
    <message>
        <location filename="../../app/ct/progress_words.py" line="22"/>
        <source>simulating %1</source>
        <translation>模拟 %1</translation>
    </message>
    <message>
        <location filename="../../app/ct/progress_words.py" line="22"/>
        <source>pushing %1 to %2</source>
        <translation>推送 %1 到 %2</translation>
    </message>
    <message>
        <location filename="../../app/ct/progress_words.py" line="22"/>
        <source>%1 day %2</source>
        <translation>%1 第 %2 天</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="279"/>
        <source>No model &apos;%1&apos; is installed in %2.</source>
        <translation>%2 中未安装模型“%1”。</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="279"/>
        <source>No model &apos;%1&apos; version %2 is installed in %3.</source>
        <translation>%3 中未安装模型“%1”的 %2 版本。</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="320"/>
        <source>Model card %1 is unreadable or incomplete (%2).</source>
        <translation>模型卡 %1 无法读取或不完整（%2）。</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="320"/>
        <source>Model file %1 is missing.</source>
        <translation>模型文件 %1 缺失。</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="320"/>
        <source>Model %1 failed its integrity check: sha256 %2… differs from the card&apos;s %3… (file altered or truncated). It was not loaded.</source>
        <translation>模型 %1 未通过完整性校验：sha256 %2… 与模型卡中的 %3… 不一致（文件被改动或截断）。未加载该模型。</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="320"/>
        <source>Model %1 failed its integrity check: sha256 %2… differs from the card&apos;s %3… (file altered after loading). It was not loaded again.</source>
        <translation>模型 %1 未通过完整性校验：sha256 %2… 与模型卡中的 %3… 不一致（文件在加载后被改动）。未再次加载该模型。</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="320"/>
        <source>Model %1 cannot be loaded by onnxruntime: %2</source>
        <translation>onnxruntime 无法加载模型 %1：%2</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="277"/>
        <source>physics %1: %2 - not what an AI class judges; the AI&apos;s &apos;normal&apos; does not contradict it, the physics decides</source>
        <translation>物理检测%1：%2 - 不属于 AI 类别判定的范围；AI 的“正常”与此不矛盾，以物理检测为准</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="281"/>
        <source>physics warns of %1 (below the action level); the AI sees no artifact: a note, not a disagreement</source>
        <translation>物理检测对%1发出警告（低于行动限值）；AI 未见伪影：仅为提示，并非结论不一致</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="285"/>
        <source>AI uncertain on some slices (physics %1): a note for the reviewer, not a disagreement</source>
        <translation>AI 在部分层上不确定（物理检测%1）：供复核员参考，并非结论不一致</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="289"/>
        <source>AI uncertain on some slices (%1) (physics %2): a note for the reviewer, not a disagreement</source>
        <translation>AI 在部分层上不确定（%1）（物理检测%2）：供复核员参考，并非结论不一致</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="293"/>
        <source>AI normal: %1 - within chance; the weak slices keep their own flags</source>
        <translation>AI 判为正常：%1 - 在随机波动范围内；弱判定层保留各自的标记</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="297"/>
        <source>%1 of %2 slices weak where a clean series shows about %3, p = %4</source>
        <translation>%2 层中有 %1 层判定较弱，正常序列约为 %3 层，p = %4</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="303"/>
        <source>%1 on slices %2-%3, which the AI did not judge</source>
        <translation>%1位于第 %2-%3 层，AI 未判定这些层</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="309"/>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="312"/>
        <source>%1 %2 (%3)</source>
        <translation>%1 %2（%3）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="319"/>
        <source>streaks</source>
        <translation>条纹伪影</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="320"/>
        <source>CT numbers</source>
        <translation>CT值</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="321"/>
        <source>uniformity and noise</source>
        <translation>均匀性和噪声</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="322"/>
        <source>noise power spectrum</source>
        <translation>噪声功率谱</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="323"/>
        <source>rings</source>
        <translation>环形伪影</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="324"/>
        <source>bands, cupping, CT shift</source>
        <translation>带状伪影、杯状伪影、CT值偏移</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="325"/>
        <source>TTF</source>
        <translation>TTF</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="326"/>
        <source>MTF</source>
        <translation>MTF</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="327"/>
        <source>bar patterns</source>
        <translation>线对</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="328"/>
        <source>slice thickness</source>
        <translation>层厚</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="329"/>
        <source>geometry</source>
        <translation>几何精度</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="330"/>
        <source>low contrast</source>
        <translation>低对比度</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="331"/>
        <source>detectability</source>
        <translation>可探测性</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="332"/>
        <source>dose</source>
        <translation>剂量</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="333"/>
        <source>PASS</source>
        <translation>合格</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="334"/>
        <source>WARN</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="335"/>
        <source>FAIL</source>
        <translation>不合格</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="336"/>
        <source>ERROR</source>
        <translation>无法判定</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="337"/>
        <source>none</source>
        <translation>无结论</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="338"/>
        <source>noise</source>
        <translation>噪声</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="339"/>
        <source>blur</source>
        <translation>模糊</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="340"/>
        <source>ring</source>
        <translation>环形伪影</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="341"/>
        <source>streak</source>
        <translation>条纹伪影</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="342"/>
        <source>band</source>
        <translation>带状伪影</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="343"/>
        <source>shift</source>
        <translation>CT值偏移</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="344"/>
        <source>the input is unlike its training</source>
        <translation>输入与其训练数据不同</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="345"/>
        <source>top</source>
        <translation>上</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="346"/>
        <source>right</source>
        <translation>右</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="347"/>
        <source>bottom</source>
        <translation>下</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="348"/>
        <source>left</source>
        <translation>左</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="349"/>
        <source>water</source>
        <translation>水</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="350"/>
        <source>the centre ROI</source>
        <translation>中心 ROI</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="351"/>
        <source>the edge ROIs (median; a streak crosses the centre)</source>
        <translation>边缘 ROI（中位数；条纹伪影穿过中心）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="352"/>
        <source>the centre ROI with the streak in it (every ROI lies on a streak)</source>
        <translation>含条纹伪影的中心 ROI（每个 ROI 都位于条纹伪影上）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="354"/>
        <source>wire</source>
        <translation>线</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="355"/>
        <source>bead</source>
        <translation>小珠</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="356"/>
        <source>2-D FFT, size-corrected</source>
        <translation>二维 FFT，已作尺寸校正</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="357"/>
        <source>no 50 % crossing</source>
        <translation>无 50 % 交点</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="358"/>
        <source>the phantom has no bead or wire</source>
        <translation>体模中没有小珠或线</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="359"/>
        <source>bead/wire not visible above noise</source>
        <translation>小珠 / 线在噪声中不可见</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="360"/>
        <source>PSF undersampled by the pixel size</source>
        <translation>像素尺寸导致 PSF 欠采样</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="361"/>
        <source>bead SNR too low</source>
        <translation>小珠信噪比过低</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="362"/>
        <source>bead MTF</source>
        <translation>小珠 MTF</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="363"/>
        <source>nodes</source>
        <translation>孔点</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="364"/>
        <source>beads</source>
        <translation>小珠</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="365"/>
        <source>largest disc</source>
        <translation>最大圆盘</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="366"/>
        <source>rect SSP (axial)</source>
        <translation>矩形 SSP（轴扫）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="367"/>
        <source>no usable ramp profile</source>
        <translation>没有可用的斜坡剖面</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="368"/>
        <source>crossed by a streak</source>
        <translation>被条纹伪影穿过</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="369"/>
        <source>profile is not a single clean peak</source>
        <translation>剖面不是单一清晰的峰</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="370"/>
        <source>the wire ends inside the slice profile (slice off the ramp centre)</source>
        <translation>线端落在层剖面内（层偏离斜坡中心）</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="372"/>
        <source>SSP model fit failed</source>
        <translation>SSP 模型拟合失败</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="373"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="374"/>
        <source>disagreed</source>
        <translation>不一致</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="377"/>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <location filename="../../app/ct/note_table.py" line="378"/>
        <source>; </source>
        <translation>；</translation>
    </message>
</context>
</TS>
