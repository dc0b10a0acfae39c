package com.magentastyle.demo

import android.app.Application
import android.graphics.Bitmap
import android.net.Uri
import android.os.SystemClock
import android.util.Log
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.SavedStateHandle
import androidx.lifecycle.viewModelScope
import com.magentastyle.core.Blender
import com.magentastyle.core.Controls
import com.magentastyle.core.InputSize
import com.magentastyle.core.Manifest
import com.magentastyle.core.Pixels
import com.magentastyle.core.Selection
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.receiveAsFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import java.io.FileNotFoundException
import java.io.IOException
import java.nio.MappedByteBuffer
import java.util.Locale
import java.util.concurrent.Executors
import kotlin.math.max

data class UiState(
    val ready: Boolean = false,
    /** Set when the model or manifest cannot be loaded; the app cannot stylize. */
    val fatalError: String? = null,
    val styles: List<StyleEntry> = emptyList(),
    val selection: Selection = Selection.empty(),
    val longSide: Int = 512,
    /** Stroke size and intensity settings (1, 1: the styles as trained); the manifest's controls bound them. */
    val stroke: Double = 1.0,
    val strength: Double = 1.0,
    /** The manifest's stroke and intensity controls, or null: then the look sliders are hidden. */
    val controls: Controls? = null,
    val useGpu: Boolean = false,
    val gpuAvailable: Boolean = false,
    /** The model has a style predictor and predictor.tflite is in the assets: styles from photos. */
    val canStyleFromPhoto: Boolean = false,
    val content: Bitmap? = null,
    val result: Bitmap? = null,
    val resultInfo: String? = null,
    val busy: Boolean = false,
)

sealed interface UiEvent {
    class Message(val text: String) : UiEvent
    class Share(val uri: Uri) : UiEvent
}

class MainViewModel(app: Application, private val saved: SavedStateHandle) : AndroidViewModel(app) {

    private val repository = StyleRepository(app)
    private val _state = MutableStateFlow(UiState())
    val state: StateFlow<UiState> = _state.asStateFlow()
    private val _events = Channel<UiEvent>(Channel.BUFFERED)
    val events: Flow<UiEvent> = _events.receiveAsFlow()

    // The interpreter is not thread-safe: every use of it happens on this one thread.
    private val inferenceExecutor = Executors.newSingleThreadExecutor { r -> Thread(r, "stylize") }
    private val inferenceDispatcher = inferenceExecutor.asCoroutineDispatcher()

    private var manifest: Manifest? = null
    private var model: MappedByteBuffer? = null
    private var engine: StyleEngine? = null
    private var predictorModel: MappedByteBuffer? = null
    private var predictorEngine: PredictorEngine? = null
    private var photoStyleCount = 0

    /** Where the camera app writes the photo being taken (survives process death). */
    var pendingCameraUri: Uri?
        get() = saved.get<Uri>(KEY_CAMERA_URI)
        set(value) {
            saved[KEY_CAMERA_URI] = value
        }

    init {
        viewModelScope.launch { load() }
    }

    private fun text(id: Int, vararg args: Any): String = getApplication<Application>().getString(id, *args)

    private fun message(text: String) {
        _events.trySend(UiEvent.Message(text))
    }

    /** What [load] reads from the assets. */
    private class Assets(
        val manifest: Manifest,
        val model: MappedByteBuffer,
        /** Null when the model has no predictor or its file is missing. */
        val predictorModel: MappedByteBuffer?,
        val styles: StyleRepository.Loaded,
        val gpu: Boolean,
    )

    private suspend fun load() {
        try {
            val assets = withContext(Dispatchers.IO) {
                val m = repository.loadManifest()
                Assets(
                    m, StyleEngine.loadModel(getApplication(), m.modelFile()), loadPredictorModel(m),
                    repository.loadAll(m),
                    StyleEngine.isGpuSupported(),
                )
            }
            val m = assets.manifest
            val styles = assets.styles
            manifest = m
            model = assets.model
            predictorModel = assets.predictorModel
            val defaultSide = max(m.defaultHeight(), m.defaultWidth())
            _state.update {
                it.copy(
                    ready = true,
                    styles = styles.entries,
                    gpuAvailable = assets.gpu,
                    useGpu = assets.gpu,
                    canStyleFromPhoto = assets.predictorModel != null,
                    controls = m.controls(),
                    longSide = saved.get<Int>(KEY_LONG_SIDE) ?: SIZES.firstOrNull { s -> s >= defaultSide } ?: SIZES.last(),
                    selection = it.selection.with(styles.entries.first().id, DEFAULT_WEIGHT),
                )
            }
            if (styles.skippedImports > 0) message(text(R.string.skipped_styles, styles.skippedImports))
            saved.get<Uri>(KEY_CONTENT_URI)?.let { setContent(it) }
        } catch (e: FileNotFoundException) {
            Log.e(TAG, "model assets missing", e)
            _state.update { it.copy(fatalError = text(R.string.model_missing, e.message ?: "")) }
        } catch (e: Exception) {
            Log.e(TAG, "cannot load the model", e)
            _state.update { it.copy(fatalError = e.message ?: e.toString()) }
        }
    }

    /** The predictor's model file, or null (with a message when styles.json names a missing file). */
    private fun loadPredictorModel(m: Manifest): MappedByteBuffer? {
        val predictor = m.predictor() ?: return null
        return try {
            PredictorEngine.loadModel(getApplication(), predictor)
        } catch (e: IOException) {
            Log.w(TAG, "style predictor unavailable", e)
            message(text(R.string.predictor_missing, predictor.modelFile()))
            null
        }
    }

    /** Loads the photo to stylize. */
    fun setContent(uri: Uri) {
        _state.update { it.copy(busy = true) }
        viewModelScope.launch {
            try {
                val bitmap = withContext(Dispatchers.IO) { ImageIo.decode(getApplication(), uri, SIZES.last()) }
                saved[KEY_CONTENT_URI] = uri
                _state.update { it.copy(content = bitmap, result = null, resultInfo = null, busy = false) }
            } catch (e: Exception) {
                Log.e(TAG, "cannot open $uri", e)
                saved.remove<Uri>(KEY_CONTENT_URI)
                _state.update { it.copy(busy = false) }
                message(e.message ?: e.toString())
            }
        }
    }

    fun onCameraResult(success: Boolean) {
        val uri = pendingCameraUri
        pendingCameraUri = null
        if (success && uri != null) setContent(uri)
    }

    /** Selects or deselects a style (at most [Selection.MAX_STYLES]). */
    fun toggleStyle(id: String) {
        val selection = _state.value.selection
        when {
            selection.contains(id) -> _state.update { it.copy(selection = it.selection.without(id)) }
            selection.isFull -> message(text(R.string.too_many_styles, selection.maxStyles()))
            else -> _state.update { it.copy(selection = it.selection.with(id, DEFAULT_WEIGHT)) }
        }
    }

    /** Raw slider value 0..100; the core normalises the weights to sum to 1. */
    fun setWeight(id: String, weight: Int) {
        _state.update {
            if (it.selection.contains(id)) it.copy(selection = it.selection.withWeight(id, weight.toDouble())) else it
        }
    }

    /** Stroke size relative to the trained one, within the manifest's controls. */
    fun setStroke(stroke: Double) {
        _state.update { it.copy(stroke = stroke) }
    }

    /** Intensity from 1 (as trained) to the manifest's max_strength. */
    fun setStrength(strength: Double) {
        _state.update { it.copy(strength = strength) }
    }

    fun setLongSide(px: Int) {
        saved[KEY_LONG_SIDE] = px
        _state.update { it.copy(longSide = px) }
    }

    fun setUseGpu(use: Boolean) {
        _state.update { it.copy(useGpu = use && it.gpuAvailable) }
    }

    fun stylize() {
        val s = _state.value
        val m = manifest ?: return
        val content = s.content
        if (s.busy) return
        if (content == null) {
            message(text(R.string.pick_a_photo_first))
            return
        }
        val blended = blendedStyle() ?: return
        val size = try {
            InputSize.fit(content.width, content.height, s.longSide, m.sizeMultiple())
        } catch (e: IllegalArgumentException) {
            message(e.message ?: e.toString())
            return
        }
        _state.update { it.copy(busy = true) }
        viewModelScope.launch {
            try {
                val totalStart = SystemClock.elapsedRealtimeNanos()
                val (bitmap, output, backend) = withContext(inferenceDispatcher) {
                    val scaled = ImageIo.scale(content, size.width(), size.height())
                    val argb = IntArray(size.width() * size.height())
                    scaled.getPixels(argb, 0, size.width(), 0, 0, size.width(), size.height())
                    if (scaled !== content) scaled.recycle()
                    val tensor = Pixels.toTensor(argb, size.width(), size.height())
                    val (output, backend) = runWithFallback(m, tensor, blended, size, s.useGpu)
                    Pixels.fromTensor(output.rgb, argb)
                    val bitmap = Bitmap.createBitmap(argb, size.width(), size.height(), Bitmap.Config.ARGB_8888)
                    Triple(bitmap, output, backend)
                }
                val totalMs = (SystemClock.elapsedRealtimeNanos() - totalStart) / 1e6
                val info = text(
                    R.string.result_info, size.width(), size.height(),
                    formatMs(output.inferenceMillis), formatMs(totalMs), backend,
                )
                _state.update { it.copy(result = bitmap, resultInfo = info, busy = false) }
            } catch (e: Exception) {
                Log.e(TAG, "stylization failed", e)
                _state.update { it.copy(busy = false) }
                message(e.message ?: e.toString())
            }
        }
    }

    /**
     * The selected styles' blend at the stroke and intensity settings (what [stylize] renders and
     * the live camera films in), or null, with a message, where nothing is selected.
     */
    fun blendedStyle(): FloatArray? {
        val s = _state.value
        val m = manifest ?: return null
        if (s.selection.isEmpty) {
            message(text(R.string.select_a_style))
            return null
        }
        val byId = s.styles.associateBy { it.id }
        val styles = s.selection.ids().mapNotNull { byId[it]?.style }
        return try {
            Blender.blend(styles, s.selection.weights(), m.controls(), s.stroke, s.strength)
        } catch (e: IllegalArgumentException) {
            message(e.message ?: e.toString())
            null
        }
    }

    /** Runs on the inference thread. Rebuilds the engine when the backend choice changed; GPU errors fall back to CPU. */
    private fun runWithFallback(
        m: Manifest,
        tensor: FloatArray,
        style: FloatArray,
        size: InputSize,
        useGpu: Boolean,
    ): Pair<StyleEngine.Output, String> {
        val current = engine
        val wantBackend = if (useGpu) StyleEngine.Backend.GPU else StyleEngine.Backend.CPU
        val e = if (current != null && (current.backend == wantBackend || (useGpu && current.gpuFallbackReason != null))) {
            current
        } else {
            current?.close()
            engine = null
            StyleEngine.create(requireNotNull(model), m, useGpu).also { created ->
                engine = created
                created.gpuFallbackReason?.let { message(text(R.string.gpu_fallback, it)) }
            }
        }
        return try {
            e.run(tensor, style, size) to e.backendLabel
        } catch (t: Exception) {
            if (e.backend != StyleEngine.Backend.GPU) throw t
            // The GPU delegate could not handle this input: retry once on the CPU and keep using it.
            Log.w(TAG, "GPU run failed, retrying on CPU", t)
            e.close()
            engine = null
            val cpu = StyleEngine.create(requireNotNull(model), m, preferGpu = false)
            engine = cpu
            message(text(R.string.gpu_fallback, t.message ?: t.javaClass.simpleName))
            _state.update { it.copy(useGpu = false) }
            cpu.run(tensor, style, size) to cpu.backendLabel
        }
    }

    fun saveToGallery() {
        val bitmap = _state.value.result ?: return
        viewModelScope.launch {
            try {
                withContext(Dispatchers.IO) { ImageIo.saveToGallery(getApplication(), bitmap) }
                message(text(R.string.saved_to_gallery))
            } catch (e: Exception) {
                Log.e(TAG, "save failed", e)
                message(e.message ?: e.toString())
            }
        }
    }

    fun share() {
        val bitmap = _state.value.result ?: return
        viewModelScope.launch {
            try {
                val uri = withContext(Dispatchers.IO) { ImageIo.writeShareFile(getApplication(), bitmap) }
                _events.trySend(UiEvent.Share(uri))
            } catch (e: Exception) {
                Log.e(TAG, "share failed", e)
                message(e.message ?: e.toString())
            }
        }
    }

    /**
     * Predicts the style of a photo and adds it to the strip as "photo N", selected for the blend
     * when there is room. Needs [UiState.canStyleFromPhoto].
     */
    fun addPhotoStyle(uri: Uri) {
        val predictor = manifest?.predictor() ?: return
        val buffer = predictorModel ?: return
        if (_state.value.busy) return
        _state.update { it.copy(busy = true) }
        viewModelScope.launch {
            try {
                val picture = withContext(Dispatchers.IO) { ImageIo.decode(getApplication(), uri, STYLE_PHOTO_SIDE) }
                val embedding = withContext(inferenceDispatcher) {
                    val argb = IntArray(picture.width * picture.height)
                    picture.getPixels(argb, 0, picture.width, 0, 0, picture.width, picture.height)
                    val runner = predictorEngine ?: PredictorEngine(buffer, predictor).also { predictorEngine = it }
                    runner.embedding(argb, picture.width, picture.height)
                }
                val number = ++photoStyleCount
                val name = text(R.string.photo_style_name, number)
                val entry = withContext(Dispatchers.IO) { repository.photoEntry(number, name, embedding, picture) }
                _state.update {
                    val selection = if (it.selection.isFull) it.selection else it.selection.with(entry.id, DEFAULT_WEIGHT)
                    it.copy(styles = it.styles + entry, selection = selection, busy = false)
                }
                message(text(R.string.photo_style_added, name))
            } catch (e: Exception) {
                Log.e(TAG, "no style from $uri", e)
                _state.update { it.copy(busy = false) }
                message(text(R.string.photo_style_failed, e.message ?: e.toString()))
            }
        }
    }

    /** Imports a .style.json exported by the Python library; it must match the model's embedding size. */
    fun importStyle(uri: Uri) {
        val m = manifest ?: return
        viewModelScope.launch {
            try {
                val entry = withContext(Dispatchers.IO) { repository.importStyle(uri, m) }
                _state.update { it.copy(styles = it.styles + entry) }
                message(text(R.string.imported_style, entry.style.name()))
            } catch (e: Exception) {
                Log.w(TAG, "import failed", e)
                message(text(R.string.import_failed, e.message ?: e.toString()))
            }
        }
    }

    fun deleteImported(id: String) {
        val entry = _state.value.styles.firstOrNull { it.id == id && it.imported } ?: return
        viewModelScope.launch {
            try {
                withContext(Dispatchers.IO) { repository.delete(entry) }
                _state.update { st ->
                    st.copy(styles = st.styles.filter { it.id != id }, selection = st.selection.without(id))
                }
            } catch (e: Exception) {
                message(e.message ?: e.toString())
            }
        }
    }

    override fun onCleared() {
        // Queued behind any running inference, then the thread ends.
        inferenceExecutor.execute {
            engine?.close()
            engine = null
            predictorEngine?.close()
            predictorEngine = null
        }
        inferenceExecutor.shutdown()
    }

    companion object {
        private const val TAG = "MainViewModel"
        private const val KEY_CAMERA_URI = "camera_uri"
        private const val KEY_CONTENT_URI = "content_uri"
        private const val KEY_LONG_SIDE = "long_side"
        const val DEFAULT_WEIGHT = 50.0

        /** Long side a style photo is read at (px), as Python's stylize --style_image reads one. */
        private const val STYLE_PHOTO_SIDE = 512

        /** Output long side choices (px); all multiples of 4. */
        val SIZES = listOf(256, 384, 512, 768, 1024)

        private fun formatMs(ms: Double): String = String.format(Locale.US, "%.0f", ms)
    }
}
