package com.magentastyle.demo

import android.Manifest
import android.content.ActivityNotFoundException
import android.content.ClipData
import android.content.Intent
import android.content.pm.PackageManager
import android.os.Build
import android.os.Bundle
import android.view.LayoutInflater
import android.view.View
import android.widget.Button
import android.widget.ImageView
import android.widget.LinearLayout
import android.widget.ProgressBar
import android.widget.RadioButton
import android.widget.RadioGroup
import android.widget.SeekBar
import android.widget.TextView
import android.widget.Toast
import androidx.activity.enableEdgeToEdge
import androidx.activity.result.PickVisualMediaRequest
import androidx.activity.result.contract.ActivityResultContracts
import androidx.activity.viewModels
import androidx.appcompat.app.AlertDialog
import androidx.appcompat.app.AppCompatActivity
import androidx.core.content.ContextCompat
import androidx.core.view.ViewCompat
import androidx.core.view.WindowInsetsCompat
import androidx.lifecycle.Lifecycle
import androidx.lifecycle.lifecycleScope
import androidx.lifecycle.repeatOnLifecycle
import com.google.android.material.appbar.MaterialToolbar
import kotlinx.coroutines.launch
import kotlin.math.roundToInt

class MainActivity : AppCompatActivity() {

    private val viewModel: MainViewModel by viewModels()

    private lateinit var toolbar: MaterialToolbar
    private lateinit var image: ImageView
    private lateinit var placeholder: TextView
    private lateinit var progress: ProgressBar
    private lateinit var resultInfo: TextView
    private lateinit var pickButton: Button
    private lateinit var cameraButton: Button
    private lateinit var styleStrip: LinearLayout
    private lateinit var weightsTitle: TextView
    private lateinit var weightsContainer: LinearLayout
    private lateinit var sizeGroup: RadioGroup
    private lateinit var lookGroup: View
    private lateinit var strokeLabel: TextView
    private lateinit var strokeSlider: SeekBar
    private lateinit var strengthLabel: TextView
    private lateinit var strengthSlider: SeekBar
    private lateinit var stylizeButton: Button
    private lateinit var saveButton: Button
    private lateinit var shareButton: Button

    /** What the strip and weight rows were last built from, to rebuild them only when needed. */
    private var renderedStyles: List<StyleEntry>? = null
    private var renderedSelectionIds: List<String>? = null
    private val stripViews = mutableMapOf<String, View>()
    private val weightRows = mutableMapOf<String, Pair<TextView, SeekBar>>()

    private val pickPhoto = registerForActivityResult(ActivityResultContracts.PickVisualMedia()) { uri ->
        if (uri != null) viewModel.setContent(uri)
    }

    private val takePhoto = registerForActivityResult(ActivityResultContracts.TakePicture()) { success ->
        viewModel.onCameraResult(success)
    }

    private val pickStylePhoto = registerForActivityResult(ActivityResultContracts.PickVisualMedia()) { uri ->
        if (uri != null) viewModel.addPhotoStyle(uri)
    }

    private val openStyleFile = registerForActivityResult(ActivityResultContracts.OpenDocument()) { uri ->
        if (uri != null) viewModel.importStyle(uri)
    }

    private val requestStoragePermission =
        registerForActivityResult(ActivityResultContracts.RequestPermission()) { granted ->
            if (granted) viewModel.saveToGallery() else toast(getString(R.string.storage_permission_denied))
        }

    override fun onCreate(savedInstanceState: Bundle?) {
        enableEdgeToEdge()
        super.onCreate(savedInstanceState)
        setContentView(R.layout.activity_main)

        val root = findViewById<View>(R.id.root)
        ViewCompat.setOnApplyWindowInsetsListener(root) { v, insets ->
            val bars = insets.getInsets(WindowInsetsCompat.Type.systemBars() or WindowInsetsCompat.Type.displayCutout())
            v.setPadding(bars.left, bars.top, bars.right, bars.bottom)
            WindowInsetsCompat.CONSUMED
        }

        toolbar = findViewById(R.id.toolbar)
        image = findViewById(R.id.image)
        placeholder = findViewById(R.id.placeholder)
        progress = findViewById(R.id.progress)
        resultInfo = findViewById(R.id.result_info)
        pickButton = findViewById(R.id.pick_button)
        cameraButton = findViewById(R.id.camera_button)
        styleStrip = findViewById(R.id.style_strip)
        weightsTitle = findViewById(R.id.weights_title)
        weightsContainer = findViewById(R.id.weights_container)
        sizeGroup = findViewById(R.id.size_group)
        lookGroup = findViewById(R.id.look_group)
        strokeLabel = findViewById(R.id.stroke_label)
        strokeSlider = findViewById(R.id.stroke_slider)
        strengthLabel = findViewById(R.id.strength_label)
        strengthSlider = findViewById(R.id.strength_slider)
        strokeSlider.progress = 50  // stroke 1: as trained
        strokeSlider.setOnSeekBarChangeListener(lookListener { viewModel.setStroke(strokeAt(it)) })
        strengthSlider.setOnSeekBarChangeListener(lookListener { viewModel.setStrength(strengthAt(it)) })
        stylizeButton = findViewById(R.id.stylize_button)
        saveButton = findViewById(R.id.save_button)
        shareButton = findViewById(R.id.share_button)

        toolbar.inflateMenu(R.menu.main)
        toolbar.setOnMenuItemClickListener { item ->
            when (item.itemId) {
                R.id.action_import_style -> {
                    openStyleFile.launch(arrayOf("application/json", "text/plain", "application/octet-stream"))
                    true
                }
                R.id.action_style_from_photo -> {
                    pickStylePhoto.launch(PickVisualMediaRequest(ActivityResultContracts.PickVisualMedia.ImageOnly))
                    true
                }
                R.id.action_live_camera -> {
                    viewModel.blendedStyle()?.let { startActivity(LiveCameraActivity.intent(this, it)) }
                    true
                }
                R.id.action_use_gpu -> {
                    viewModel.setUseGpu(!item.isChecked)
                    true
                }
                else -> false
            }
        }

        pickButton.setOnClickListener {
            pickPhoto.launch(PickVisualMediaRequest(ActivityResultContracts.PickVisualMedia.ImageOnly))
        }
        cameraButton.setOnClickListener { launchCamera() }
        stylizeButton.setOnClickListener { viewModel.stylize() }
        saveButton.setOnClickListener { save() }
        shareButton.setOnClickListener { viewModel.share() }

        for (px in MainViewModel.SIZES) {
            val button = RadioButton(this).apply {
                id = View.generateViewId()
                text = px.toString()
                tag = px
                layoutParams = RadioGroup.LayoutParams(0, RadioGroup.LayoutParams.WRAP_CONTENT, 1f)
            }
            sizeGroup.addView(button)
        }
        sizeGroup.setOnCheckedChangeListener { group, checkedId ->
            val px = group.findViewById<RadioButton>(checkedId)?.tag as? Int
            if (px != null && px != viewModel.state.value.longSide) viewModel.setLongSide(px)
        }

        lifecycleScope.launch {
            repeatOnLifecycle(Lifecycle.State.STARTED) {
                launch { viewModel.state.collect { render(it) } }
                launch {
                    viewModel.events.collect { event ->
                        when (event) {
                            is UiEvent.Message -> toast(event.text)
                            is UiEvent.Share -> share(event)
                        }
                    }
                }
            }
        }
    }

    private fun launchCamera() {
        val uri = ImageIo.newCameraUri(this)
        viewModel.pendingCameraUri = uri
        try {
            takePhoto.launch(uri)
        } catch (e: ActivityNotFoundException) {
            viewModel.pendingCameraUri = null
            toast(getString(R.string.no_camera_app))
        }
    }

    private fun save() {
        val needsPermission = Build.VERSION.SDK_INT < Build.VERSION_CODES.Q &&
            ContextCompat.checkSelfPermission(this, Manifest.permission.WRITE_EXTERNAL_STORAGE) !=
            PackageManager.PERMISSION_GRANTED
        if (needsPermission) {
            requestStoragePermission.launch(Manifest.permission.WRITE_EXTERNAL_STORAGE)
        } else {
            viewModel.saveToGallery()
        }
    }

    private fun share(event: UiEvent.Share) {
        val send = Intent(Intent.ACTION_SEND).apply {
            type = "image/jpeg"
            putExtra(Intent.EXTRA_STREAM, event.uri)
            clipData = ClipData.newRawUri(null, event.uri)
            addFlags(Intent.FLAG_GRANT_READ_URI_PERMISSION)
        }
        try {
            startActivity(Intent.createChooser(send, getString(R.string.share_chooser)))
        } catch (e: ActivityNotFoundException) {
            toast(e.message ?: e.toString())
        }
    }

    private fun render(state: UiState) {
        val enabled = state.ready && state.fatalError == null && !state.busy

        progress.visibility = if (state.busy || (!state.ready && state.fatalError == null)) View.VISIBLE else View.GONE
        val shown = state.result ?: state.content
        image.setImageBitmap(shown)
        placeholder.visibility = if (shown == null) View.VISIBLE else View.GONE
        placeholder.text = when {
            state.fatalError != null -> state.fatalError
            !state.ready -> getString(R.string.loading_model)
            state.busy -> getString(R.string.working)
            else -> getString(R.string.no_photo)
        }
        resultInfo.text = if (state.result != null) state.resultInfo.orEmpty() else ""
        resultInfo.visibility = if (state.result != null) View.VISIBLE else View.GONE

        pickButton.isEnabled = enabled
        cameraButton.isEnabled = enabled
        stylizeButton.isEnabled = enabled && state.content != null && !state.selection.isEmpty
        saveButton.isEnabled = enabled && state.result != null
        shareButton.isEnabled = enabled && state.result != null
        for (i in 0 until sizeGroup.childCount) sizeGroup.getChildAt(i).isEnabled = enabled

        toolbar.menu.findItem(R.id.action_use_gpu)?.apply {
            isChecked = state.useGpu
            isEnabled = state.gpuAvailable && !state.busy
        }
        toolbar.menu.findItem(R.id.action_import_style)?.isEnabled = enabled
        toolbar.menu.findItem(R.id.action_live_camera)?.isEnabled = enabled
        toolbar.menu.findItem(R.id.action_style_from_photo)?.apply {
            isVisible = state.canStyleFromPhoto
            isEnabled = enabled
        }

        for (i in 0 until sizeGroup.childCount) {
            val button = sizeGroup.getChildAt(i) as RadioButton
            if (button.tag == state.longSide && !button.isChecked) button.isChecked = true
        }

        renderStrip(state)
        renderWeights(state)
        renderLook(state)
    }

    /** The stroke and intensity sliders, shown where the manifest has controls. */
    private fun renderLook(state: UiState) {
        val controls = state.controls
        lookGroup.visibility = if (controls != null) View.VISIBLE else View.GONE
        if (controls == null) return
        strokeLabel.text = getString(R.string.stroke_label, state.stroke)
        strengthLabel.text = getString(R.string.strength_label, state.strength)
        strokeSlider.isEnabled = !state.busy
        strengthSlider.isEnabled = !state.busy
    }

    /** Slider position 0..100 → stroke: the low end, 1 at the middle, the high end. */
    private fun strokeAt(position: Int): Double {
        val controls = viewModel.state.value.controls ?: return 1.0
        return if (position <= 50) controls.strokeLow() + (1.0 - controls.strokeLow()) * position / 50.0
        else 1.0 + (controls.strokeHigh() - 1.0) * (position - 50) / 50.0
    }

    /** Slider position 0..100 → strength from 1 to the controls' maximum. */
    private fun strengthAt(position: Int): Double {
        val controls = viewModel.state.value.controls ?: return 1.0
        return 1.0 + (controls.maxStrength() - 1.0) * position / 100.0
    }

    private fun lookListener(onChange: (Int) -> Unit) = object : SeekBar.OnSeekBarChangeListener {
        override fun onProgressChanged(bar: SeekBar, value: Int, fromUser: Boolean) {
            if (fromUser) onChange(value)
        }

        override fun onStartTrackingTouch(bar: SeekBar) = Unit
        override fun onStopTrackingTouch(bar: SeekBar) = Unit
    }

    private fun renderStrip(state: UiState) {
        if (state.styles !== renderedStyles) {
            renderedStyles = state.styles
            styleStrip.removeAllViews()
            stripViews.clear()
            val inflater = LayoutInflater.from(this)
            for (entry in state.styles) {
                val item = inflater.inflate(R.layout.item_style, styleStrip, false)
                item.findViewById<ImageView>(R.id.thumb).setImageBitmap(entry.thumbnail)
                item.findViewById<TextView>(R.id.name).text = entry.style.name()
                item.contentDescription = entry.style.name()
                item.setOnClickListener { viewModel.toggleStyle(entry.id) }
                if (entry.imported) {
                    item.setOnLongClickListener {
                        confirmDelete(entry)
                        true
                    }
                }
                styleStrip.addView(item)
                stripViews[entry.id] = item
            }
        }
        val ids = state.selection.ids()
        for ((id, item) in stripViews) {
            val order = ids.indexOf(id)
            val badge = item.findViewById<TextView>(R.id.badge)
            val frame = item.findViewById<View>(R.id.thumb_frame)
            if (order >= 0) {
                badge.visibility = View.VISIBLE
                badge.text = (order + 1).toString()
                frame.setBackgroundResource(R.drawable.thumb_selected)
            } else {
                badge.visibility = View.GONE
                frame.setBackgroundResource(R.drawable.thumb_unselected)
            }
            item.isEnabled = !state.busy
        }
    }

    private fun renderWeights(state: UiState) {
        val selection = state.selection
        val ids = selection.ids()
        val names = state.styles.associate { it.id to it.style.name() }
        if (ids != renderedSelectionIds) {
            renderedSelectionIds = ids
            weightsContainer.removeAllViews()
            weightRows.clear()
            val inflater = LayoutInflater.from(this)
            for (id in ids) {
                val row = inflater.inflate(R.layout.item_weight, weightsContainer, false)
                val label = row.findViewById<TextView>(R.id.weight_label)
                val slider = row.findViewById<SeekBar>(R.id.weight_slider)
                slider.progress = selection.weight(id).roundToInt()
                slider.setOnSeekBarChangeListener(object : SeekBar.OnSeekBarChangeListener {
                    override fun onProgressChanged(bar: SeekBar, value: Int, fromUser: Boolean) {
                        if (fromUser) viewModel.setWeight(id, value)
                    }

                    override fun onStartTrackingTouch(bar: SeekBar) = Unit

                    override fun onStopTrackingTouch(bar: SeekBar) = Unit
                })
                weightsContainer.addView(row)
                weightRows[id] = label to slider
            }
        }
        weightsTitle.visibility = if (ids.isEmpty()) View.GONE else View.VISIBLE
        val normalized = selection.normalizedWeights()
        ids.forEachIndexed { i, id ->
            val (label, slider) = weightRows[id] ?: return@forEachIndexed
            label.text = getString(R.string.weight_label, names[id] ?: id, (normalized[i] * 100).roundToInt())
            slider.isEnabled = !state.busy
        }
    }

    private fun confirmDelete(entry: StyleEntry) {
        AlertDialog.Builder(this)
            .setTitle(R.string.delete_style_title)
            .setMessage(getString(R.string.delete_style_message, entry.style.name()))
            .setPositiveButton(R.string.delete) { _, _ -> viewModel.deleteImported(entry.id) }
            .setNegativeButton(R.string.cancel, null)
            .show()
    }

    private fun toast(text: String) {
        Toast.makeText(this, text, Toast.LENGTH_LONG).show()
    }
}
